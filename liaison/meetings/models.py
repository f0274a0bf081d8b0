from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation
from oversight.referrals.models import Referral
from .workflow import MeetingKind, Response, State


class Meeting(db.Model):
    __tablename__ = "liaison_meetings"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("state <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"),
        sa.CheckConstraint("organiser_org_id <> counterpart_org_id", name="two_institutions"),
        # The calendar and the conflict check read meetings by time inside an organisation.
        sa.Index("ix_liaison_meetings_organiser_start", "organiser_org_id", "starts_at"),
        sa.Index("ix_liaison_meetings_counterpart_start", "counterpart_org_id", "starts_at"),
        sa.Index("ix_liaison_meetings_state_start", "state", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The iCalendar UID: fixed at creation, so every .ics and feed entry updates the same event.
    uid: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    state: Mapped[State] = mapped_column(enum_column(State, name="meeting_state"), default=State.SCHEDULED)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    organiser_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    counterpart_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # iCalendar SEQUENCE: raised on every change a calendar client must pick up.
    sequence: Mapped[int] = mapped_column(default=0)
    reminded_for: Mapped[dt.date | None] = mapped_column(sa.Date)  # the day-before reminder, once
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organiser_org: Mapped[Organisation] = relationship(foreign_keys=[organiser_org_id], lazy="joined")
    counterpart_org: Mapped[Organisation] = relationship(foreign_keys=[counterpart_org_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    invitations: Mapped[list[Invitation]] = relationship(back_populates="meeting", order_by="Invitation.id")
    agenda: Mapped[list[AgendaItem]] = relationship(back_populates="meeting", order_by="AgendaItem.position")

    __mapper_args__ = {"version_id_col": version}


class Invitation(db.Model):
    __tablename__ = "liaison_invitations"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_liaison_invitations_meeting_user"),
        sa.CheckConstraint("response <> 'declined' OR reason IS NOT NULL", name="declined_has_reason"),
        sa.CheckConstraint("response <> 'delegated' OR delegate_id IS NOT NULL", name="delegated_has_delegate"),
        sa.Index("ix_liaison_invitations_user", "user_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_meetings.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    response: Mapped[Response] = mapped_column(enum_column(Response), default=Response.PENDING)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    delegate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    delegated_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("liaison_invitations.id"))
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None] = mapped_column()  # set with the minutes
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    delegate: Mapped[User | None] = relationship(foreign_keys=[delegate_id])

    __mapper_args__ = {"version_id_col": version}


class AgendaItem(db.Model):
    __tablename__ = "liaison_agenda_items"
    __table_args__ = (sa.Index("ix_liaison_agenda_items_meeting", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("liaison_meetings.id"))
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(200))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    # A follow-up of an earlier meeting's open action item, put on the agenda automatically.
    follow_up_id: Mapped[int | None] = mapped_column(sa.ForeignKey("liaison_action_items.id", use_alter=True, ondelete="SET NULL"), index=True)
    # An oversight topic (issues) or a produced report (reports) the item discusses.
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topics.id"), index=True)
    report_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_runs.id"), index=True)
    discussion: Mapped[str] = mapped_column(sa.Text, default="")  # written with the minutes

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    referral: Mapped[Referral | None] = relationship()
    follow_up: Mapped["ActionItem | None"] = relationship(foreign_keys=[follow_up_id])  # noqa: F821
    topic: Mapped["Topic | None"] = relationship()  # noqa: F821
    report_run: Mapped["ReportRun | None"] = relationship()  # noqa: F821


class CalendarFeed(db.Model):
    """A user's personal calendar feed: the SHA-256 of its secret token (the token is shown once)."""

    __tablename__ = "liaison_calendar_feeds"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
