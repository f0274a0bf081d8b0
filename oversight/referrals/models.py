from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, db, enum_column, utcnow
from ..orgs.models import Organisation
from ..workdays.calendar import PeriodUnit
from .workflow import Direction, Evaluation, Outcome, State


class Classification(enum.StrEnum):
    PUBLIC = "public"        # 公开
    INTERNAL = "internal"    # 内部
    SENSITIVE = "sensitive"  # 敏感


class Approver(enum.StrEnum):
    SENDER = "sender"        # 交办机构审批（代表建议、审议意见）
    RECEIVER = "receiver"    # 承办单位负责人审批（信访、线索）


class ReferralType(db.Model):
    """A kind of referral and its deadlines — data, editable by administrators (DOMAIN.md §2)."""

    __tablename__ = "referral_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    legal_basis: Mapped[str] = mapped_column(sa.String(300), default="")
    # Deadlines: amount + unit, each counted from the event named in the comment.
    ack_amount: Mapped[int] = mapped_column(default=3)                    # from sending
    ack_unit: Mapped[PeriodUnit] = mapped_column(enum_column(PeriodUnit, name="ack_unit"), default=PeriodUnit.WORKING_DAYS)
    return_window_days: Mapped[int] = mapped_column(default=5)            # working days from sending
    procedural_amount: Mapped[int | None] = mapped_column()               # from acknowledgement
    procedural_unit: Mapped[PeriodUnit] = mapped_column(enum_column(PeriodUnit, name="procedural_unit"), default=PeriodUnit.WORKING_DAYS)
    result_amount: Mapped[int] = mapped_column(default=3)                 # from sending (交办)
    result_unit: Mapped[PeriodUnit] = mapped_column(enum_column(PeriodUnit, name="result_unit"), default=PeriodUnit.MONTHS)
    cap_months: Mapped[int | None] = mapped_column()                      # absolute cap from sending
    extension_approver: Mapped[Approver] = mapped_column(enum_column(Approver), default=Approver.SENDER)
    max_extensions: Mapped[int] = mapped_column(default=1)
    evaluated: Mapped[bool] = mapped_column(default=True)                 # does the sender rate the reply?
    evaluation_window_days: Mapped[int] = mapped_column(default=15)       # working days from reply
    dissatisfied_reopens: Mapped[bool] = mapped_column(default=True)      # else: clarification only
    max_rehandling_rounds: Mapped[int] = mapped_column(default=2)
    rehandling_amount: Mapped[int] = mapped_column(default=1)             # from the evaluation
    rehandling_unit: Mapped[PeriodUnit] = mapped_column(enum_column(PeriodUnit, name="rehandling_unit"), default=PeriodUnit.MONTHS)
    case_related: Mapped[bool] = mapped_column(default=False)             # NPC messages kept as an exportable log
    requires_deputy: Mapped[bool] = mapped_column(default=False)
    roll_weekends: Mapped[bool] = mapped_column(default=True)
    default_classification: Mapped[Classification] = mapped_column(enum_column(Classification), default=Classification.INTERNAL)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        sa.CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name="returned_has_reason"),
        sa.CheckConstraint("state NOT IN ('replied', 'closed') OR direction <> 'npc_to_procuratorate' "
                           "OR state = 'closed' OR reply_text IS NOT NULL", name="replied_has_text"),
        sa.CheckConstraint("round >= 1", name="round_positive"),
        # The lists' indexes: inbox and search sort by (due or update time, id) inside an organisation.
        sa.Index("ix_referrals_receiver_state", "receiver_org_id", "state", "current_due", "id"),
        sa.Index("ix_referrals_sender_state", "sender_org_id", "state", "current_due", "id"),
        sa.Index("ix_referrals_receiver_updated", "receiver_org_id", "updated_at", "id"),
        sa.Index("ix_referrals_sender_updated", "sender_org_id", "updated_at", "id"),
        sa.Index("ix_referrals_open_due", "state", "current_due"),
        sa.Index("ix_referrals_handler", "handler_id", "state"),
        sa.Index("ix_referrals_deputy", "deputy_id", "updated_at"),
        # Searches walk these in sort order and stop at the page's end (referrals/pages.py).
        sa.Index("ix_referrals_due_id", "current_due", "id"),
        sa.Index("ix_referrals_updated_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str | None] = mapped_column(sa.String(40), unique=True)   # given when sent
    client_token: Mapped[str | None] = mapped_column(sa.String(40), unique=True)  # one form, one referral
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("referral_types.id"), index=True)
    state: Mapped[State] = mapped_column(enum_column(State), default=State.DRAFT)
    round: Mapped[int] = mapped_column(default=1)
    classification: Mapped[Classification] = mapped_column(enum_column(Classification), default=Classification.INTERNAL)
    # Sender-owned words (read-only to the receiver once sent).
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    sender_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    receiver_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deputy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    # Receiver-owned fields (read-only to the sender).
    procedural_reply: Mapped[str | None] = mapped_column(sa.Text)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    reply_text: Mapped[str | None] = mapped_column(sa.Text)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    suggested_receiver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    # Sender-owned evaluation.
    evaluation: Mapped[Evaluation | None] = mapped_column(enum_column(Evaluation))
    evaluation_reasons: Mapped[str | None] = mapped_column(sa.Text)
    evaluation_reminded: Mapped[bool] = mapped_column(default=False)
    # Extension request in flight.
    extension_requested_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    extensions_granted: Mapped[int] = mapped_column(default=0)
    urge_count: Mapped[int] = mapped_column(default=0)
    # P → NPC: the session that deliberates a report, and a satisfaction vote.
    session_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    vote_for: Mapped[int | None] = mapped_column()
    vote_against: Mapped[int | None] = mapped_column()
    vote_abstain: Mapped[int | None] = mapped_column()
    # Lifecycle timestamps (UTC) and due dates (dates; the day ends 24:00 Asia/Shanghai).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ack_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    procedural_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    result_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    cap_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    evaluation_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The due date of whatever step is open now (denormalised for the lists' sort and filters).
    current_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The due dates the deadline sweep has already sent 临期 / 逾期 reminders for: one reminder per
    # (referral, due date), remembered here so that a restarted or re-run sweep sends none twice.
    due_soon_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    overdue_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)

    type: Mapped[ReferralType] = relationship(lazy="joined")
    sender_org: Mapped[Organisation] = relationship(foreign_keys=[sender_org_id], lazy="joined")
    receiver_org: Mapped[Organisation] = relationship(foreign_keys=[receiver_org_id], lazy="joined")
    department: Mapped[Organisation | None] = relationship(foreign_keys=[department_id])
    suggested_receiver: Mapped[Organisation | None] = relationship(foreign_keys=[suggested_receiver_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    deputy: Mapped[User | None] = relationship(foreign_keys=[deputy_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    parent: Mapped[Referral | None] = relationship(remote_side="Referral.id", foreign_keys=[parent_id])
    events: Mapped[list[ReferralEvent]] = relationship(back_populates="referral", order_by="ReferralEvent.id")

    __mapper_args__ = {"version_id_col": version}


class ReferralEvent(db.Model):
    """One line of the timeline: a transition or an urge, with the deadline as it stood. Never edited."""

    __tablename__ = "referral_events"
    __table_args__ = (sa.Index("ix_referral_events_referral", "referral_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(20))
    to_state: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    side: Mapped[str] = mapped_column(sa.String(20))        # npc / procuratorate / system
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")  # the actor's own words
    due_before: Mapped[dt.date | None] = mapped_column(sa.Date)
    due_after: Mapped[dt.date | None] = mapped_column(sa.Date)
    round: Mapped[int] = mapped_column(default=1)

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ReferralMessage(db.Model):
    """The thread between the two sides' liaison persons; `internal` notes stay on the author's side."""

    __tablename__ = "referral_messages"
    __table_args__ = (sa.Index("ix_referral_messages_referral", "referral_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(sa.String(20))
    internal: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


class SerialCounter(db.Model):
    """The last serial number given per sending organisation and year; numbers are never reused."""

    __tablename__ = "serial_counters"

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
