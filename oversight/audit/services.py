"""Appending to the audit chain and verifying it."""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..db import db, utcnow
from .models import GENESIS_HASH, AuditEntry, AuditHead

# Set by the web layer for each request, so services need not know about `request`.
request_origin: contextvars.ContextVar[str] = contextvars.ContextVar("audit_request_origin", default="")


def canonical_summary(summary: dict[str, Any] | None) -> str:
    return json.dumps(summary or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, *, seq: int, created_at: dt.datetime, actor_id: int | None,
               actor_label: str, action: str, object_type: str, object_id: str,
               organisation_id: int | None, summary: str, ip: str) -> str:
    """SHA-256 over the previous hash and the entry's canonical content."""
    content = json.dumps(
        [seq, created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor_id,
         actor_label, action, object_type, object_id, organisation_id, summary, ip],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def record(action: str, *, actor=None, obj=None, object_type: str = "", object_id: str | int = "",
           summary: dict[str, Any] | None = None, actor_label: str | None = None,
           organisation_id: int | None = None) -> int:
    """Append one entry in the current transaction and return its sequence number.

    `actor` is a User or None (the system, or an anonymous visitor — then give `actor_label`).
    `obj` is a mapped object; its table name and primary key become the object reference.
    """
    if obj is not None:
        db.session.flush()  # the object needs its id
        object_type = object_type or obj.__tablename__
        object_id = object_id or sa.inspect(obj).identity[0]
    if actor is not None:
        label = actor_label or f"{actor.display_name}（{actor.username}）"
        organisation_id = organisation_id if organisation_id is not None else actor.organisation_id
        actor_id = actor.id
    else:
        label = actor_label or "系统"
        actor_id = None
    head = AuditHead.__table__
    # The UPDATE takes the head's row lock (PostgreSQL) or the write lock (SQLite) before we read
    # the previous hash, so two transactions can never chain onto the same predecessor.
    seq, prev_hash = db.session.execute(
        sa.update(head).where(head.c.id == 1).values(seq=head.c.seq + 1)
        .returning(head.c.seq, head.c.hash)
    ).one()
    fields = dict(
        seq=seq, created_at=utcnow(), actor_id=actor_id, actor_label=label[:120], action=action,
        object_type=str(object_type), object_id=str(object_id), organisation_id=organisation_id,
        summary=canonical_summary(summary), ip=request_origin.get(),
    )
    digest = entry_hash(prev_hash, **fields)
    db.session.execute(sa.insert(AuditEntry.__table__).values(**fields, prev_hash=prev_hash, hash=digest))
    db.session.execute(sa.update(head).where(head.c.id == 1).values(hash=digest))
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch: int = 20_000, progress=None) -> VerifyResult:
    """Recompute the chain from the first entry; report the first broken link.

    Reads in keyset batches of plain rows so memory stays flat whatever the log's length.
    """
    cols = [AuditEntry.seq, AuditEntry.created_at, AuditEntry.actor_id, AuditEntry.actor_label,
            AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
            AuditEntry.organisation_id, AuditEntry.summary, AuditEntry.ip,
            AuditEntry.prev_hash, AuditEntry.hash]
    expected_seq, prev_hash, checked, last = 1, GENESIS_HASH, 0, 0
    while True:
        rows = db.session.execute(
            sa.select(*cols).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            (seq, created_at, actor_id, actor_label, action, object_type, object_id,
             organisation_id, summary, ip, stored_prev, stored_hash) = row
            if seq != expected_seq:
                return VerifyResult(False, checked, expected_seq,
                                    f"entry {expected_seq} is missing (next present is {seq})")
            if stored_prev != prev_hash:
                return VerifyResult(False, checked, seq,
                                    f"entry {seq} does not link to entry {seq - 1}")
            digest = entry_hash(prev_hash, seq=seq, created_at=created_at, actor_id=actor_id,
                                actor_label=actor_label, action=action, object_type=object_type,
                                object_id=object_id, organisation_id=organisation_id,
                                summary=summary, ip=ip)
            if digest != stored_hash:
                return VerifyResult(False, checked, seq, f"entry {seq} was altered (hash mismatch)")
            prev_hash, expected_seq, checked = stored_hash, seq + 1, checked + 1
        last = rows[-1][0]
        db.session.expire_all()
        if progress:
            progress(checked)
    head = db.session.get(AuditHead, 1)
    if head is None:
        return VerifyResult(False, checked, None, "the chain head row is missing")
    if head.seq != checked or head.hash != prev_hash:
        return VerifyResult(False, checked, checked + 1 if head.seq > checked else head.seq,
                            f"the chain ends at entry {checked} but its head records entry {head.seq}: "
                            "entries were removed from the end")
    return VerifyResult(True, checked)
