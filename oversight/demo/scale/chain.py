"""Appending many entries to the audit chain at once, with the audit module's own hash."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ...audit.models import AuditEntry, AuditHead
from ...audit.services import canonical_summary, entry_hash
from ...db import db


@dataclass(frozen=True)
class Actor:
    """Who an entry names: what `audit.record` takes from a User."""

    id: int | None
    label: str            # "姓名（username）", or "系统"
    organisation_id: int | None
    name: str = "系统"    # display name, as the timeline shows it
    side: str = "system"


SYSTEM = Actor(None, "系统", None)


class Chain:
    """Entries queued in order, hashed and inserted by `flush`, which also moves `audit_head`.

    Opened inside a transaction: it reads the head once, so nothing else may append until the
    transaction commits — the generator is the only writer while it runs (on PostgreSQL the head's
    row lock makes any other writer wait)."""

    def __init__(self) -> None:
        head = AuditHead.__table__
        self.seq, self.hash = db.session.execute(
            sa.select(head.c.seq, head.c.hash).where(head.c.id == 1).with_for_update()).one()
        self.rows: list[dict] = []
        self.written = 0

    def add(self, action: str, *, at: dt.datetime, actor: Actor, object_type: str, object_id, summary: dict) -> None:
        self.seq += 1
        fields = dict(seq=self.seq, created_at=at, actor_id=actor.id, actor_label=actor.label[:120], action=action,
                      object_type=object_type, object_id=str(object_id), organisation_id=actor.organisation_id,
                      summary=canonical_summary(summary), ip="")
        digest = entry_hash(self.hash, **fields)
        self.rows.append({**fields, "prev_hash": self.hash, "hash": digest})
        self.hash = digest

    def flush(self) -> None:
        if self.rows:
            db.session.execute(sa.insert(AuditEntry.__table__), self.rows)
            self.written += len(self.rows)
            self.rows = []
        head = AuditHead.__table__
        db.session.execute(sa.update(head).where(head.c.id == 1).values(seq=self.seq, hash=self.hash))
