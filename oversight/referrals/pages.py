"""Keyset pages of referrals that stay fast at any size (used by `queries`' lists).

A page is read in two statements, whatever the data: the ids of the page (one more than asked, to
say whether there is more), walking an index in sort order — `ix_referrals_due_id` or
`ix_referrals_updated_id` — and stopping at the limit; then those rows with what the list shows.
Never a COUNT(*), never a sort of every matching row.

The due-date order puts referrals without a due date last. No index serves `NULLS LAST` on both
engines (SQLite keeps NULLs first), so the ids come from two legs — dated rows in (current_due, id)
order, then undated rows in id order — each served by the index, joined by UNION ALL in one statement.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..db import db
from .models import Referral


def rows_after(stmt: sa.Select, *, by_due: bool, cursor, limit: int,
               selective: bool = False) -> tuple[list[Referral], bool]:
    """The `limit` rows of `stmt` (a filtered `select(Referral)`) after `cursor` = (sort value, id) or
    None, by due date (earliest first, undated last) or by last change (newest first); and whether
    more follow.

    `selective`: the filter itself finds few rows through its own indexes (the inbox: open work of a
    few organisations, `ix_referrals_*_state`), so the database sorts just those — walking the
    due-date index would pass every closed referral (closed ones have no due date) to find them."""
    where = stmt.whereclause if stmt.whereclause is not None else sa.true()
    due, updated, ident = Referral.current_due, Referral.updated_at, Referral.id
    if by_due and selective:
        ids_stmt = sa.select(ident).where(where)
        if cursor and cursor[0] is None:
            ids_stmt = ids_stmt.where(due.is_(None), ident > cursor[1])
        elif cursor:
            ids_stmt = ids_stmt.where(sa.or_(due > cursor[0], sa.and_(due == cursor[0], ident > cursor[1]),
                                             due.is_(None)))
        # Sorting on an expression keeps the planner from walking the due-date index instead.
        ids_stmt = ids_stmt.order_by(due.is_(None), due, ident)
    elif by_due:
        dated = sa.select(ident, due).where(where, due.is_not(None))
        undated = sa.select(ident, due).where(where, due.is_(None))
        if cursor and cursor[0] is None:
            dated, undated = None, undated.where(ident > cursor[1])
        elif cursor:
            dated = dated.where(sa.or_(due > cursor[0], sa.and_(due == cursor[0], ident > cursor[1])))
        legs = [] if dated is None else [sa.select(dated.order_by(due, ident).limit(limit + 1).subquery())]
        legs.append(sa.select(undated.order_by(ident).limit(limit + 1).subquery()))
        both = (sa.union_all(*legs) if len(legs) > 1 else legs[0]).subquery()
        ids_stmt = sa.select(both.c.id).order_by(both.c.current_due.is_(None), both.c.current_due, both.c.id)
    else:
        ids_stmt = sa.select(ident).where(where)
        if cursor:
            ids_stmt = ids_stmt.where(sa.or_(updated < cursor[0], sa.and_(updated == cursor[0], ident < cursor[1])))
        ids_stmt = ids_stmt.order_by(updated.desc(), ident.desc())
    ids = list(db.session.scalars(ids_stmt.limit(limit + 1)))
    more, ids = len(ids) > limit, ids[:limit]
    # Always the second statement, even for an empty page: the count per page stays one constant.
    found = {r.id: r for r in db.session.scalars(sa.select(Referral).where(ident.in_(ids)))}
    return [found[i] for i in ids], more
