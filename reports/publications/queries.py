"""Read-only: the staff list of publications and the public portal's lists, search and feed.

Both are keyset-paginated (newest first): the staff list on id, the public lists on (published_at, id), which
the index ix_publications_public / ix_publications_kind_public serves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from oversight.db import db
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import scope_root

from .models import Publication
from .workflow import PubKind, PubState


@dataclass(frozen=True)
class Page:
    rows: list[Publication]
    more: bool
    next_cursor: str | None


@dataclass(frozen=True)
class StaffFilters:
    state: PubState | None = None
    kind: PubKind | None = None
    keyword: str = ""


def _like(keyword: str) -> str:
    escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def staff_list(user, filters: StaffFilters, *, after: str | None = None, limit: int = 50) -> Page:
    """Publications of the committees in the user's subtree, newest first."""
    root = scope_root(user)
    stmt = (sa.select(Publication).join(Organisation, Organisation.id == Publication.owner_org_id)
            .where(Organisation.path.startswith(root.path)))
    if filters.state is not None:
        stmt = stmt.where(Publication.state == filters.state)
    if filters.kind is not None:
        stmt = stmt.where(Publication.kind == filters.kind)
    if filters.keyword:
        stmt = stmt.where(Publication.title.ilike(_like(filters.keyword), escape="\\"))
    if after and after.isdigit():
        stmt = stmt.where(Publication.id < int(after))
    rows = list(db.session.scalars(stmt.order_by(Publication.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, more, str(rows[-1].id) if more else None)


# --- the public side: only published rows, never a draft ----------------------------------------------
def _cursor(pub: Publication) -> str:
    return f"{int(pub.published_at.timestamp() * 1_000_000)}.{pub.id}"


def _after(stmt, after: str | None):
    try:
        micros, ident = (int(x) for x in (after or "").split("."))
    except ValueError:
        return stmt
    at = dt.datetime.fromtimestamp(micros / 1_000_000, dt.timezone.utc)
    return stmt.where(sa.or_(Publication.published_at < at,
                             sa.and_(Publication.published_at == at, Publication.id < ident)))


def _public_page(stmt, after: str | None, limit: int) -> Page:
    stmt = _after(stmt, after).order_by(Publication.published_at.desc(), Publication.id.desc()).limit(limit + 1)
    rows = list(db.session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, more, _cursor(rows[-1]) if more else None)


def published(*, kind: PubKind | None = None, after: str | None = None, limit: int = 20) -> Page:
    stmt = sa.select(Publication).where(Publication.state == PubState.PUBLISHED)
    if kind is not None:
        stmt = stmt.where(Publication.kind == kind)
    return _public_page(stmt, after, limit)


def search(keyword: str, *, after: str | None = None, limit: int = 20) -> Page:
    """Published publications whose title, summary or body contains `keyword` (every word of it)."""
    stmt = sa.select(Publication).where(Publication.state == PubState.PUBLISHED)
    for word in keyword.split()[:5]:
        pattern = _like(word)
        stmt = stmt.where(sa.or_(Publication.title.ilike(pattern, escape="\\"),
                                 Publication.summary.ilike(pattern, escape="\\"),
                                 Publication.body.ilike(pattern, escape="\\")))
    return _public_page(stmt, after, limit)


def public_one(pub_id: int) -> Publication | None:
    """A publication the public may open: published, or withdrawn (its page says so). Never a draft."""
    return db.session.scalar(sa.select(Publication).where(
        Publication.id == pub_id, Publication.state.in_([PubState.PUBLISHED, PubState.WITHDRAWN])))


def feed_entries(limit: int = 50) -> list[Publication]:
    """The newest published and withdrawn publications, by their last public change. Two index-ordered reads
    (ix_publications_public) merged here, rather than one sort over an expression of every row."""
    live = db.session.scalars(sa.select(Publication).where(Publication.state == PubState.PUBLISHED)
                              .order_by(Publication.published_at.desc(), Publication.id.desc()).limit(limit))
    gone = db.session.scalars(sa.select(Publication).where(Publication.state == PubState.WITHDRAWN)
                              .order_by(Publication.withdrawn_at.desc(), Publication.id.desc()).limit(limit))
    rows = [*live, *gone]
    rows.sort(key=lambda p: (p.withdrawn_at or p.published_at, p.id), reverse=True)
    return rows[:limit]
