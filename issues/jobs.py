"""The daily rectification sweep: 临期 and 逾期 reminders for issued items, and the periodic
"progress report due" reminder — each once per (item, date), remembered on the item, so a re-run or
a restarted scheduler sends nothing twice.

`rectification_sweep` is the use case (it flushes, never commits); `run_rectification_sweep` is what
the scheduler calls ("issues.jobs:run_rectification_sweep"): it runs the sweep and commits once.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from oversight.audit import services as audit
from oversight.db import commit, db
from oversight.workdays import add_working_days, today

from . import permissions
from .models import RectificationItem
from .services.common import owner_staff, tell, unit_people
from .workflow import ItemState

BATCH = 500
OPEN = (ItemState.PENDING, ItemState.IN_PROGRESS)


def _unit_side(item: RectificationItem):
    """Who must act: the unit's contacts, or the owner's staff for a unit without accounts."""
    return owner_staff(item.topic.owner_org) if permissions.on_behalf(item.unit) else unit_people(item.unit)


def _heading(item: RectificationItem) -> str:
    return f"《{item.topic.title}》{item.measures[:40]}"


def rectification_sweep(on: dt.date | None = None) -> dict[str, int]:
    on = on or today()
    horizon = add_working_days(on, current_app.config["DUE_SOON_WORKING_DAYS"] + 1)
    counts = dict.fromkeys(("due_soon", "overdue", "progress_due", "notifications"), 0)
    due, progress = RectificationItem.due_date, RectificationItem.progress_due
    unsent = lambda col, date: sa.or_(col.is_(None), col != date)  # noqa: E731
    todo = sa.or_(sa.and_(due >= on, due < horizon, unsent(RectificationItem.due_soon_notified_for, due)),
                  sa.and_(due < on, unsent(RectificationItem.overdue_notified_for, due)),
                  sa.and_(progress <= on, unsent(RectificationItem.progress_notified_for, progress)))
    stmt = sa.select(RectificationItem).where(RectificationItem.state.in_(OPEN),
                                              RectificationItem.issued_in.is_not(None), todo)
    last = 0
    while True:
        batch = list(db.session.scalars(stmt.where(RectificationItem.id > last)
                                        .order_by(RectificationItem.id).limit(BATCH)))
        if not batch:
            break
        last = batch[-1].id
        for item in batch:
            link = f"/topics/items/{item.id}"
            if item.due_date >= on and item.due_soon_notified_for != item.due_date and item.due_date < horizon:
                counts["notifications"] += tell(_unit_side(item), kind="rectification_due_soon", link=link,
                                                title=_("整改临期（%(d)s 届满）：%(h)s", d=item.due_date.isoformat(),
                                                        h=_heading(item)))
                item.due_soon_notified_for = item.due_date
                counts["due_soon"] += 1
            if item.due_date < on and item.overdue_notified_for != item.due_date:
                people = _unit_side(item) + owner_staff(item.topic.owner_org)
                counts["notifications"] += tell(people, kind="rectification_overdue", link=link,
                                                title=_("整改逾期（%(d)s 已届满）：%(h)s", d=item.due_date.isoformat(),
                                                        h=_heading(item)))
                item.overdue_notified_for = item.due_date
                counts["overdue"] += 1
            if item.progress_due and item.progress_due <= on and item.progress_notified_for != item.progress_due:
                counts["notifications"] += tell(_unit_side(item), kind="progress_due", link=link,
                                                title=_("请报告整改进展：%(h)s", h=_heading(item)))
                item.progress_notified_for = item.progress_due
                counts["progress_due"] += 1
        db.session.flush()
    if any(counts.values()):
        audit.record("rectification.sweep", actor=None, summary={"on": on.isoformat(), **counts})
    return counts


def run_rectification_sweep() -> dict[str, int]:
    """Scheduler entry point."""
    from oversight.scheduler import job_app

    app = job_app()
    with app.app_context():
        counts = rectification_sweep()
        commit()
        app.logger.info("rectification sweep: %s", counts)
    return counts
