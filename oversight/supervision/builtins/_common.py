"""Small helpers the built-in models share."""
from __future__ import annotations

import datetime as dt

from ...db import db
from ...orgs.models import Organisation
from ...referrals.models import Referral
from ..registry import Evidence


def table(name: str):
    """A table of a package built on `oversight` (e.g. issues' rectification_items), by name."""
    return db.metadata.tables[name]


def days_before(day: dt.date, days: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=days - 1), dt.time(), tzinfo=dt.timezone.utc)


def referral_evidence(session, ids, limit: int = 50) -> list[Evidence]:
    ids = sorted(set(ids))[:limit]
    rows = session.execute(db.select(Referral.id, Referral.serial, Referral.title).where(Referral.id.in_(ids))
                           .order_by(Referral.id)).all() if ids else []
    return [Evidence("referral", r.id, f"{r.serial or ''} {r.title}".strip()) for r in rows]


def org_names(session, ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(session.execute(db.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
