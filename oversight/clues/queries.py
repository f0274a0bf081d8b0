"""Read-only clue lists: the staff list (scoped, filtered, keyset-paginated on (created_at, id),
newest first, one row too many to tell whether there is more — never a COUNT(*)), export rows, and
the choices of the filter form."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from ..db import db
from ..orgs.models import Organisation, OrgKind
from ..orgs.queries import in_scope
from ..orgs.permissions import scope_root
from .models import Clue
from .workflow import ClueSource, ClueState


@dataclass(frozen=True)
class Filters:
    state: ClueState | None = None
    category: str | None = None
    source: ClueSource | None = None
    station_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    keyword: str = ""


@dataclass(frozen=True)
class Page:
    rows: list[Clue]
    more: bool
    next_cursor: str | None


def _day_start(day: dt.date) -> dt.datetime:
    """00:00 Asia/Shanghai of `day`, in UTC."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.timezone.utc)


def _filtered(user, filters: Filters) -> sa.Select:
    # `receiving_org_id + 0`: the scope is a list of committees that, for a city, holds nearly every clue;
    # matched through ix_clues_receiver_* it makes SQLite gather and sort all of them (5.9 s for the first
    # page at 1M clues). Kept off the index, the newest-first walk of ix_clues_created_at stops after one
    # page; the selective filters (station, category, date, code) still choose their own indexes.
    stmt = (sa.select(Clue).where(in_scope(Clue.receiving_org_id + 0, user=user))
            .options(joinedload(Clue.receiving_org), joinedload(Clue.station)))
    if filters.state is not None:
        stmt = stmt.where(Clue.state == filters.state)
    if filters.category:
        stmt = stmt.where(Clue.category == filters.category)
    if filters.source is not None:
        stmt = stmt.where(Clue.source == filters.source)
    if filters.station_id:
        stmt = stmt.where(Clue.station_org_id == filters.station_id)
    if filters.date_from:
        stmt = stmt.where(Clue.created_at >= _day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(Clue.created_at < _day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.keyword:
        word = filters.keyword
        if word.upper().startswith("XS"):
            stmt = stmt.where(Clue.tracking_code == word.upper())
        else:
            stmt = stmt.where(Clue.title.contains(word, autoescape=True))
    return stmt


def _cursor(clue: Clue) -> str:
    return f"{clue.created_at.timestamp():.6f}_{clue.id}"


def _after(cursor: str | None):
    try:
        stamp, ident = (cursor or "").split("_")
        return dt.datetime.fromtimestamp(float(stamp), dt.timezone.utc), int(ident)
    except ValueError:
        return None


def search(user, filters: Filters, *, after: str | None = None, limit: int = 50) -> Page:
    stmt = _filtered(user, filters)
    position = _after(after)
    if position is not None:
        at, ident = position
        stmt = stmt.where(sa.or_(Clue.created_at < at, sa.and_(Clue.created_at == at, Clue.id < ident)))
    rows = list(db.session.scalars(stmt.order_by(Clue.created_at.desc(), Clue.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, more, _cursor(rows[-1]) if more and rows else None)


def beyond(user, filters: Filters, limit: int) -> bool:
    """More than `limit` rows match (an export would be too large)."""
    stmt = _filtered(user, filters).with_only_columns(Clue.id).offset(limit).limit(1)
    return db.session.scalar(stmt) is not None


def for_export(user, filters: Filters):
    stmt = _filtered(user, filters).order_by(Clue.created_at.desc(), Clue.id.desc())
    return db.session.scalars(stmt.execution_options(yield_per=1000))


def stations(user) -> list[Organisation]:
    """The liaison stations inside the user's scope, for the filter."""
    root = scope_root(user)
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.LIAISON_STATION, Organisation.path.startswith(root.path, autoescape=True))
        .order_by(Organisation.code)))


def public_stations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.LIAISON_STATION, Organisation.active.is_(True)).order_by(Organisation.code)))


def merge_targets(clue: Clue, limit: int = 30) -> list[Clue]:
    """Recent clues of the same committee that a duplicate may be merged into."""
    return list(db.session.scalars(sa.select(Clue).where(
        Clue.receiving_org_id == clue.receiving_org_id, Clue.id != clue.id, Clue.state != ClueState.MERGED)
        .order_by(Clue.created_at.desc(), Clue.id.desc()).limit(limit)))


def by_code(code: str) -> Clue | None:
    return db.session.scalar(sa.select(Clue).where(Clue.tracking_code == (code or "").strip().upper()))
