"""The daily rectification sweep: due soon, overdue and progress-due reminders, each sent once."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from issues.jobs import rectification_sweep
from oversight.db import commit, db
from oversight.notifications.models import Notification
from oversight.workdays import today

from .test_issue_services import crew, issued_topic, the_item  # noqa: F401  (crew: a fixture)


def kinds(user) -> list[str]:
    return sorted(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user.id,
                                                                        Notification.kind.like("%due%"))))


def test_due_soon_overdue_and_progress_due_are_each_sent_once(app, crew):
    item = the_item(issued_topic(crew))
    on = today()
    # Nothing yet: due in 90 days, first progress report in 30.
    assert rectification_sweep(on)["notifications"] == 0
    assert rectification_sweep(item.progress_due)["progress_due"] == 1
    assert rectification_sweep(item.progress_due)["progress_due"] == 0  # once per date
    commit()
    soon = item.due_date - dt.timedelta(days=1)
    counts = rectification_sweep(soon)
    assert counts["due_soon"] == 1 and rectification_sweep(soon)["due_soon"] == 0
    counts = rectification_sweep(item.due_date + dt.timedelta(days=1))
    assert counts["overdue"] == 1
    commit()
    assert kinds(crew.contact) == ["progress_due", "rectification_due_soon", "rectification_overdue"]
    assert "rectification_overdue" in kinds(crew.staff)


def test_a_signed_off_item_is_left_alone(app, crew):
    from issues.services import items

    item = the_item(issued_topic(crew))
    items.report_progress(item, actor=crew.contact, percent=100, text_="完成")
    items.request_signoff(item, actor=crew.contact)
    items.sign_off(item, actor=crew.staff)
    commit()
    assert rectification_sweep(item.due_date + dt.timedelta(days=5))["notifications"] == 0
