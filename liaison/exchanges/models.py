from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation
from ..meetings.workflow import Response


class ExchangeKind(enum.StrEnum):
    SEMINAR = "seminar"                  # 座谈研讨、培训
    PERSONNEL = "personnel"              # 岗位交流（参加执法检查、挂职）
    HEARING = "hearing"                  # 检察听证
    COURT_OBSERVATION = "court_observation"  # 庭审观摩
    JOINT_RESEARCH = "joint_research"    # 联合课题研究


class ExchangeState(enum.StrEnum):
    PLANNED = "planned"        # 已安排
    DONE = "done"              # 已举行
    CANCELLED = "cancelled"    # 已取消


class ExchangeActivity(db.Model):
    __tablename__ = "liaison_exchanges"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("state <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"),
        sa.Index("ix_liaison_exchanges_organiser_start", "organiser_org_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[ExchangeKind] = mapped_column(enum_column(ExchangeKind))
    state: Mapped[ExchangeState] = mapped_column(enum_column(ExchangeState), default=ExchangeState.PLANNED)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    outputs: Mapped[str] = mapped_column(sa.Text, default="")  # 成果（课题）
    organiser_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    partner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organiser_org: Mapped[Organisation] = relationship(foreign_keys=[organiser_org_id], lazy="joined")
    partner_org: Mapped[Organisation] = relationship(foreign_keys=[partner_org_id], lazy="joined")
    participants: Mapped[list[ExchangeParticipant]] = relationship(back_populates="activity",
                                                                   order_by="ExchangeParticipant.id")
    milestones: Mapped[list[ResearchMilestone]] = relationship(
        back_populates="activity", order_by="[ResearchMilestone.due_on, ResearchMilestone.id]")

    __mapper_args__ = {"version_id_col": version}


class ExchangeParticipant(db.Model):
    __tablename__ = "liaison_exchange_participants"
    __table_args__ = (
        sa.UniqueConstraint("activity_id", "user_id", name="uq_liaison_exchange_participants_activity_user"),
        sa.CheckConstraint("response <> 'declined' OR reason IS NOT NULL", name="declined_has_reason"),
        sa.Index("ix_liaison_exchange_participants_user", "user_id", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_exchanges.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    response: Mapped[Response] = mapped_column(enum_column(Response, name="exchange_response"),
                                               default=Response.PENDING)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    attended: Mapped[bool | None] = mapped_column()
    feedback: Mapped[str] = mapped_column(sa.Text, default="")   # the deputy's feedback afterwards
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[ExchangeActivity] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(lazy="joined")


class MilestoneState(enum.StrEnum):
    OPEN = "open"      # 进行中
    DONE = "done"      # 已完成


class ResearchMilestone(db.Model):
    """A milestone of a joint research project (课题): due date, state and what it produced."""

    __tablename__ = "liaison_research_milestones"
    __table_args__ = (
        sa.CheckConstraint("state <> 'done' OR done_at IS NOT NULL", name="done_has_time"),
        sa.Index("ix_liaison_research_milestones_activity", "activity_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_exchanges.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    state: Mapped[MilestoneState] = mapped_column(enum_column(MilestoneState, name="milestone_state"),
                                                  default=MilestoneState.OPEN)
    output: Mapped[str] = mapped_column(sa.Text, default="")     # 阶段成果
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    activity: Mapped[ExchangeActivity] = relationship(back_populates="milestones")

    __mapper_args__ = {"version_id_col": version}
