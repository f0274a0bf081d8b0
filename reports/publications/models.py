"""A publication (公开信息) and the reviewer's decisions on the redaction hits its text still contains."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation

from .workflow import PubKind, PubState


class Publication(db.Model):
    """One item on the public portal. Its text is what the public sees, once published; a rectification status
    carries the frozen public-safe snapshot of its topic's lists, a public report the run whose PDF it offers."""

    __tablename__ = "publications"
    __table_args__ = (
        sa.CheckConstraint("state NOT IN ('published', 'withdrawn') OR published_at IS NOT NULL",
                           name="published_has_time"),
        sa.CheckConstraint("state <> 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawn_reason IS NOT NULL)",
                           name="withdrawn_has_reason"),
        sa.CheckConstraint("kind <> 'rectification_status' OR state NOT IN ('published', 'withdrawn') "
                           "OR snapshot IS NOT NULL", name="rectification_has_snapshot"),
        sa.CheckConstraint("kind <> 'public_report' OR state NOT IN ('published', 'withdrawn') "
                           "OR report_run_id IS NOT NULL", name="report_has_run"),
        sa.Index("ix_publications_public", "state", "published_at", "id"),
        sa.Index("ix_publications_kind_public", "kind", "state", "published_at", "id"),
        sa.Index("ix_publications_owner_state", "owner_org_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PubKind] = mapped_column(enum_column(PubKind, name="publication_kind"))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[PubState] = mapped_column(enum_column(PubState, name="publication_state"), default=PubState.DRAFT)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topics.id"), index=True)
    report_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_runs.id"))
    # The public-safe copy of the topic's three lists, frozen (JSON) when the publication is published.
    snapshot: Mapped[str | None] = mapped_column(sa.Text)
    # Internal: private persons the source records name (one per line), looked for by the redaction check.
    private_names: Mapped[str] = mapped_column(sa.Text, default="")
    review_note: Mapped[str | None] = mapped_column(sa.Text)          # why the reviewer sent it back (internal)
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner_org: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    justifications: Mapped[list[RedactionJustification]] = relationship(
        back_populates="publication", order_by="RedactionJustification.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class RedactionJustification(db.Model):
    """A reviewer's reason for keeping one hit of the redaction check (e.g. an official's public hotline)."""

    __tablename__ = "publication_redaction_justifications"
    __table_args__ = (sa.UniqueConstraint("publication_id", "kind", "value", name="uq_pub_justification_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(sa.ForeignKey("publications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    publication: Mapped[Publication] = relationship(back_populates="justifications")
