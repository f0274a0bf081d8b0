from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_object", "object_type", "object_id", "seq"),
        sa.Index("ix_audit_entries_actor", "actor_id", "seq"),
        sa.Index("ix_audit_entries_action", "action", "seq"),
        sa.Index("ix_audit_entries_created_at", "created_at"),
    )

    # Position in the chain, assigned from AuditHead under its row lock: 1, 2, 3, … without gaps.
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # No foreign keys: the log must outlive and stand apart from what it describes.
    actor_id: Mapped[int | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[str] = mapped_column(sa.String(40), default="")
    organisation_id: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(sa.Text, default="{}")  # canonical JSON
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHead(db.Model):
    """One row: the last sequence number and hash. Appends lock it, which also catches a removed tail."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)
