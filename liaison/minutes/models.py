from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation
from oversight.referrals.models import Referral
from ..meetings.models import AgendaItem, Meeting
from .workflow import ItemState, MinutesState


class AmendmentKind(enum.StrEnum):
    PROPOSAL = "proposal"      # 征求意见期的修改意见
    CORRECTION = "correction"  # 审定后的更正


class Minutes(db.Model):
    __tablename__ = "liaison_minutes"
    __table_args__ = (
        sa.CheckConstraint("state <> 'approved' OR approved_at IS NOT NULL", name="approved_has_time"),
        sa.CheckConstraint("state <> 'review' OR review_until IS NOT NULL", name="review_has_window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_meetings.id"), unique=True)
    state: Mapped[MinutesState] = mapped_column(enum_column(MinutesState), default=MinutesState.DRAFT)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_until: Mapped[dt.date | None] = mapped_column(sa.Date)   # end of the amendment window
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship()
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    decisions: Mapped[list[Decision]] = relationship(back_populates="minutes", order_by="Decision.position")
    amendments: Mapped[list[Amendment]] = relationship(back_populates="minutes", order_by="Amendment.id")

    __mapper_args__ = {"version_id_col": version}


class Decision(db.Model):
    """议定事项. With an owner and a due date it becomes an action item when the minutes are approved."""

    __tablename__ = "liaison_decisions"
    __table_args__ = (sa.Index("ix_liaison_decisions_minutes", "minutes_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_minutes.id"))
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("liaison_agenda_items.id"))
    position: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(sa.Text)
    owner_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)

    minutes: Mapped[Minutes] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    owner_org: Mapped[Organisation | None] = relationship(foreign_keys=[owner_org_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    action_item: Mapped[ActionItem | None] = relationship(back_populates="decision", uselist=False)


class Amendment(db.Model):
    """An attendee's proposed change during review, or a correction appended after approval. Never edited."""

    __tablename__ = "liaison_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_minutes.id"), index=True)
    kind: Mapped[AmendmentKind] = mapped_column(enum_column(AmendmentKind))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="amendments")
    author: Mapped[User] = relationship()


class ActionItem(db.Model):
    __tablename__ = "liaison_action_items"
    __table_args__ = (
        sa.CheckConstraint("state <> 'dropped' OR drop_reason IS NOT NULL", name="dropped_has_reason"),
        sa.CheckConstraint("state <> 'done' OR closed_at IS NOT NULL", name="done_has_time"),
        sa.Index("ix_liaison_action_items_owner_state", "owner_org_id", "state", "due_on"),
        sa.Index("ix_liaison_action_items_state_due", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_decisions.id"), unique=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_meetings.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState, name="item_state"), default=ItemState.OPEN)
    done_note: Mapped[str] = mapped_column(sa.Text, default="")
    drop_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"))
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topics.id"))   # the oversight topic it spawned
    due_soon_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    overdue_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    decision: Mapped[Decision] = relationship(back_populates="action_item")
    meeting: Mapped[Meeting] = relationship()
    owner_org: Mapped[Organisation] = relationship(foreign_keys=[owner_org_id], lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    referral: Mapped[Referral | None] = relationship()
    topic: Mapped["Topic | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}
