"""Topics, the three lists, rectification items with their progress, and issued versions."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation
from oversight.referrals.models import Classification, Referral
from oversight.supervision.models import Alert

from .workflow import ItemState, Severity, TopicState


class Area(enum.StrEnum):
    BUSINESS = "business"              # 营商环境
    LIVELIHOOD = "livelihood"          # 民生保障
    ECOLOGY = "ecology"                # 生态环境
    PUBLIC_INTEREST = "public_interest"  # 公益诉讼
    JUDICIAL = "judicial"              # 司法公正
    OTHER = "other"                    # 其他


class SourceKind(enum.StrEnum):
    REFERRAL = "referral"              # 移送事项（含代表建议）
    MEETING_DECISION = "meeting_decision"  # 会议议定事项
    MODEL_ALERT = "model_alert"        # 模型预警
    OTHER = "other"                    # 其他来源


class Topic(db.Model):
    """An oversight topic (监督议题) and the three lists drafted for it."""

    __tablename__ = "topics"
    __table_args__ = (
        sa.CheckConstraint("issued_version >= 0", name="issued_version_nonnegative"),
        sa.CheckConstraint("state NOT IN ('evaluated', 'closed') OR evaluation IS NOT NULL", name="evaluated_has_text"),
        sa.CheckConstraint("state = 'open' OR state = 'in_review' OR issued_version > 0", name="issued_has_version"),
        sa.Index("ix_topics_owner_state", "owner_org_id", "state", "id"),
        sa.Index("ix_topics_owner_updated", "owner_org_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    area: Mapped[Area] = mapped_column(enum_column(Area), default=Area.OTHER)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))   # the committee
    lead_body_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))   # its working body
    state: Mapped[TopicState] = mapped_column(enum_column(TopicState), default=TopicState.OPEN)
    classification: Mapped[Classification] = mapped_column(enum_column(Classification, name="topic_classification"),
                                                           default=Classification.INTERNAL)
    serial: Mapped[str | None] = mapped_column(sa.String(40), unique=True)   # the document number, at first issue
    issued_version: Mapped[int] = mapped_column(default=0)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(sa.Text)       # the reviewer's reasons for sending back
    revision_reason: Mapped[str | None] = mapped_column(sa.Text)
    evaluation: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner_org: Mapped[Organisation] = relationship(foreign_keys=[owner_org_id], lazy="joined")
    lead_body: Mapped[Organisation] = relationship(foreign_keys=[lead_body_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sources: Mapped[list[TopicSource]] = relationship(back_populates="topic", order_by="TopicSource.id")
    problems: Mapped[list[Problem]] = relationship(back_populates="topic", order_by="Problem.number")
    versions: Mapped[list[ListVersion]] = relationship(back_populates="topic", order_by="ListVersion.number")
    events: Mapped[list[TopicEvent]] = relationship(back_populates="topic", order_by="TopicEvent.id")

    __mapper_args__ = {"version_id_col": version}


class TopicSource(db.Model):
    """Where a topic came from: a referral (linked), a meeting decision or a model alert (described)."""

    __tablename__ = "topic_sources"
    __table_args__ = (
        sa.CheckConstraint("kind <> 'referral' OR referral_id IS NOT NULL", name="referral_source_linked"),
        sa.UniqueConstraint("topic_id", "referral_id"),  # one link per referral
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), index=True)
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    # A model alert the topic was opened from: the topic shows the alert's evidence.
    alert_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_alerts.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(300), default="")

    topic: Mapped[Topic] = relationship(back_populates="sources")
    referral: Mapped[Referral | None] = relationship()
    alert: Mapped[Alert | None] = relationship()


class Problem(db.Model):
    """One row of the issue list (问题清单)."""

    __tablename__ = "topic_problems"
    __table_args__ = (sa.UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"))
    number: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(60), default="")
    severity: Mapped[Severity] = mapped_column(enum_column(Severity), default=Severity.MINOR)

    topic: Mapped[Topic] = relationship(back_populates="problems")
    responsibilities: Mapped[list[Responsibility]] = relationship(back_populates="problem",
                                                                  order_by="Responsibility.id")


responsibility_co_units = sa.Table(
    "responsibility_co_units", db.metadata,
    sa.Column("responsibility_id", sa.ForeignKey("topic_responsibilities.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True),
)


class Responsibility(db.Model):
    """One row of the responsibility list (责任清单): who answers for a problem."""

    __tablename__ = "topic_responsibilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(sa.ForeignKey("topic_problems.id"), index=True)
    lead_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    responsible_person: Mapped[str] = mapped_column(sa.String(60), default="")
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")

    problem: Mapped[Problem] = relationship(back_populates="responsibilities")
    lead_unit: Mapped[Organisation] = relationship(lazy="joined")
    co_units: Mapped[list[Organisation]] = relationship(secondary=responsibility_co_units, order_by="Organisation.path")
    items: Mapped[list[RectificationItem]] = relationship(back_populates="responsibility",
                                                          order_by="RectificationItem.id")


class RectificationItem(db.Model):
    """One row of the rectification list (整改清单), tracked to sign-off (销号)."""

    __tablename__ = "rectification_items"
    __table_args__ = (
        sa.CheckConstraint("reported_percent BETWEEN 0 AND 100", name="reported_percent_range"),
        sa.CheckConstraint("accepted_percent BETWEEN 0 AND reported_percent", name="accepted_within_reported"),
        sa.CheckConstraint("state <> 'signed_off' OR accepted_percent = 100", name="signed_off_complete"),
        sa.CheckConstraint("state = 'pending' OR issued_in IS NOT NULL", name="started_after_issue"),
        sa.Index("ix_rectification_items_topic", "topic_id", "state", "due_date", "id"),
        sa.Index("ix_rectification_items_unit_state", "unit_id", "state", "due_date", "id"),
        sa.Index("ix_rectification_items_open_due", "state", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"))
    responsibility_id: Mapped[int] = mapped_column(sa.ForeignKey("topic_responsibilities.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))   # the responsibility's lead unit
    measures: Mapped[str] = mapped_column(sa.Text)
    milestones: Mapped[str] = mapped_column(sa.Text, default="")
    due_date: Mapped[dt.date] = mapped_column(sa.Date)
    responsible_person: Mapped[str] = mapped_column(sa.String(60), default="")
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState), default=ItemState.PENDING)
    issued_in: Mapped[int | None] = mapped_column()          # the list version that first issued it
    reported_percent: Mapped[int] = mapped_column(default=0)  # what the unit reports
    accepted_percent: Mapped[int] = mapped_column(default=0)  # what the NPC side accepts on evidence
    progress_every_days: Mapped[int] = mapped_column(default=30)  # periodic progress reports
    progress_due: Mapped[dt.date | None] = mapped_column(sa.Date)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    urge_count: Mapped[int] = mapped_column(default=0)
    extension_requested_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    extensions_granted: Mapped[int] = mapped_column(default=0)
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_soon_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    overdue_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    progress_notified_for: Mapped[dt.date | None] = mapped_column(sa.Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    topic: Mapped[Topic] = relationship()
    responsibility: Mapped[Responsibility] = relationship(back_populates="items")
    unit: Mapped[Organisation] = relationship(lazy="joined")
    reports: Mapped[list[ProgressReport]] = relationship(back_populates="item", order_by="ProgressReport.id")
    events: Mapped[list[ItemEvent]] = relationship(back_populates="item", order_by="ItemEvent.id")

    __mapper_args__ = {"version_id_col": version}


class ProgressReport(db.Model):
    """A unit's progress report; `on_behalf` marks one entered by NPC staff for a unit without accounts."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),
        sa.Index("ix_progress_reports_item", "item_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_items.id"))
    percent: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    lower_reason: Mapped[str | None] = mapped_column(sa.Text)   # why the percentage went down
    on_behalf: Mapped[bool] = mapped_column(default=False)
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[RectificationItem] = relationship(back_populates="reports")
    reported_by: Mapped[User] = relationship()


class _Event:
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(20))
    to_state: Mapped[str] = mapped_column(sa.String(20))
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    side: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")


class TopicEvent(_Event, db.Model):
    """One line of a topic's timeline. Never edited."""

    __tablename__ = "topic_events"
    __table_args__ = (sa.Index("ix_topic_events_topic", "topic_id", "id"),)

    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    topic: Mapped[Topic] = relationship(back_populates="events")


class ItemEvent(_Event, db.Model):
    """One line of a rectification item's timeline. Never edited."""

    __tablename__ = "rectification_item_events"
    __table_args__ = (sa.Index("ix_rectification_item_events_item", "item_id", "id"),)

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_items.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_before: Mapped[dt.date | None] = mapped_column(sa.Date)
    due_after: Mapped[dt.date | None] = mapped_column(sa.Date)
    item: Mapped[RectificationItem] = relationship(back_populates="events")


class ListVersion(db.Model):
    """An issued version of a topic's three lists: a numbered document, frozen as a snapshot."""

    __tablename__ = "topic_list_versions"
    __table_args__ = (sa.UniqueConstraint("topic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"))
    number: Mapped[int] = mapped_column()
    document_number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    snapshot: Mapped[str] = mapped_column(sa.Text)     # canonical JSON of the three lists
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    topic: Mapped[Topic] = relationship(back_populates="versions")
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])


class TopicSerialCounter(db.Model):
    """The last topic document number per committee and year; numbers are never reused."""

    __tablename__ = "topic_serial_counters"

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)
