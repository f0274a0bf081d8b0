"""The daily liaison sweep: the day-before reminder of each meeting, and 临期 / 逾期 reminders of
open action items — each sent once (the date it was sent for is kept on the row).

`reminder_sweep` is the use case (flushes, never commits); `run_reminders` is what the scheduler
calls: it runs the sweep in the scheduler's app and commits once.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from oversight.audit import services as audit
from oversight.db import commit, db
from oversight.notifications.services import notify
from oversight.workdays import add_working_days, today
from .forms import to_utc
from .meetings.models import Invitation, Meeting
from .meetings.workflow import Response, State
from .minutes.models import ActionItem
from .minutes.services import owner_people
from .minutes.workflow import ItemState


def reminder_sweep(on: dt.date | None = None) -> dict[str, int]:
    """Remind what is due on `on` (default today in Asia/Shanghai) and return the counts."""
    on = on or today()
    counts = dict.fromkeys(("meetings", "due_soon", "overdue", "notifications"), 0)
    tomorrow = on + dt.timedelta(days=1)
    start, end = to_utc(dt.datetime.combine(tomorrow, dt.time())), to_utc(dt.datetime.combine(tomorrow, dt.time()) + dt.timedelta(days=1))
    for meeting in db.session.scalars(sa.select(Meeting).where(
            Meeting.state == State.SCHEDULED, Meeting.starts_at >= start, Meeting.starts_at < end,
            sa.or_(Meeting.reminded_for.is_(None), Meeting.reminded_for != on))):
        people = [i.user for i in db.session.scalars(sa.select(Invitation).where(
            Invitation.meeting_id == meeting.id, Invitation.response.in_([Response.PENDING, Response.ACCEPTED])))]
        if meeting.created_by is not None:
            people.append(meeting.created_by)
        for user in {u.id: u for u in people}.values():
            notify(user, kind="meeting_reminder", link=f"/liaison/meetings/{meeting.id}",
                   title=_("明天召开：%(t)s（%(p)s）", t=meeting.title, p=meeting.place or meeting.online_url or "—"))
            counts["notifications"] += 1
        meeting.reminded_for = on
        counts["meetings"] += 1
    horizon = add_working_days(on, current_app.config["DUE_SOON_WORKING_DAYS"])
    for item in db.session.scalars(sa.select(ActionItem).where(ActionItem.state == ItemState.OPEN,
                                                               ActionItem.due_on <= horizon)
                                   .order_by(ActionItem.due_on, ActionItem.id)):
        if item.due_on >= on and item.due_soon_notified_for != item.due_on:
            title, item.due_soon_notified_for, key = _("会议待办事项临期（%(d)s）：%(t)s"), item.due_on, "due_soon"
        elif item.due_on < on and item.overdue_notified_for != item.due_on:
            title, item.overdue_notified_for, key = _("会议待办事项已逾期（%(d)s）：%(t)s"), item.due_on, "overdue"
        else:
            continue
        for user in owner_people(item):
            notify(user, kind=f"action_item_{key}", link=f"/liaison/minutes/items/{item.id}",
                   title=title % {"d": item.due_on.isoformat(), "t": item.title[:80]})
            counts["notifications"] += 1
        counts[key] += 1
    db.session.flush()
    if any(counts.values()):
        audit.record("liaison.reminder_sweep", actor=None, summary={"on": on.isoformat(), **counts})
    return counts


def run_reminders() -> None:
    """The scheduler's entry point."""
    from oversight.scheduler import job_app

    app = job_app()
    with app.app_context():
        counts = reminder_sweep()
        commit()
        app.logger.info("liaison reminders: %s", counts)
