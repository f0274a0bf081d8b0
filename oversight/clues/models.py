"""Clues (线索) and the two small tables that protect the public form: the rate-limit log and the
used challenge tokens (both in the database, so limits hold across processes and workers)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, enum_column, utcnow
from ..orgs.models import Organisation
from .workflow import ClueSource, ClueState

__all__ = ["Clue", "ClueSource", "ClueState", "RateEvent", "UsedChallenge"]


class Clue(db.Model):
    __tablename__ = "clues"
    __table_args__ = (
        sa.CheckConstraint("state <> 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        sa.CheckConstraint("state <> 'merged' OR duplicate_of_id IS NOT NULL", name="merged_has_target"),
        sa.CheckConstraint("state <> 'converted' OR referral_id IS NOT NULL", name="converted_has_referral"),
        sa.CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_own_duplicate"),
        # The staff list: newest first inside the receiving committee, optionally by state.
        sa.Index("ix_clues_receiver_created", "receiving_org_id", "created_at", "id"),
        sa.Index("ix_clues_receiver_state_created", "receiving_org_id", "state", "created_at", "id"),
        # The similar-clue hint reads recent clues of one category.
        sa.Index("ix_clues_category_created", "category", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(128))
    source: Mapped[ClueSource] = mapped_column(enum_column(ClueSource), default=ClueSource.PUBLIC)
    station_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    category: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(100))
    place: Mapped[str] = mapped_column(sa.String(100), default="")
    description: Mapped[str] = mapped_column(sa.Text)
    # Classification 敏感: shown only to cleared NPC staff of the handling body, never to the public.
    contact_name: Mapped[str | None] = mapped_column(sa.String(60))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[ClueState] = mapped_column(enum_column(ClueState), default=ClueState.RECEIVED)
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)   # shown to the sender
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clues.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    receiving_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    station: Mapped[Organisation | None] = relationship(foreign_keys=[station_org_id])
    receiving_org: Mapped[Organisation] = relationship(foreign_keys=[receiving_org_id])
    duplicate_of: Mapped[Clue | None] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)


class RateEvent(db.Model):
    """One counted request from a client address (kept as a keyed hash, not the address itself)."""

    __tablename__ = "clue_rate_events"
    __table_args__ = (sa.Index("ix_clue_rate_events_lookup", "scope", "client_key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(16))          # submit / status
    client_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class UsedChallenge(db.Model):
    """A challenge token that has been spent: its nonce may never be accepted again."""

    __tablename__ = "clue_used_challenges"

    nonce: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
