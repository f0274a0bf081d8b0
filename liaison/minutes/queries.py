"""Read-only queries on minutes and action items."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.db import db
from oversight.orgs.queries import in_scope
from ..meetings.models import Meeting
from ..meetings.queries import visible
from ..permissions import is_staff
from .models import ActionItem, Minutes
from .workflow import ItemState


def minutes_of(meeting: Meeting) -> Minutes | None:
    return db.session.scalar(sa.select(Minutes).where(Minutes.meeting_id == meeting.id))


def action_items(user, *, state: ItemState | None = ItemState.OPEN, limit: int = 200) -> list[ActionItem]:
    """Action items visible to `user` (their own, the meeting visible, or — staff only, as in
    meetings.queries.visible — the owner organisation in scope), soonest due first."""
    seen = [visible(user), ActionItem.owner_id == user.id]
    if is_staff(user):
        seen.append(in_scope(ActionItem.owner_org_id, user=user))
    stmt = sa.select(ActionItem).join(Meeting, ActionItem.meeting_id == Meeting.id).where(sa.or_(*seen))
    if state is not None:
        stmt = stmt.where(ActionItem.state == state)
    return list(db.session.scalars(stmt.order_by(ActionItem.due_on, ActionItem.id).limit(limit)))


def of_meeting(meeting: Meeting) -> list[ActionItem]:
    return list(db.session.scalars(sa.select(ActionItem).where(ActionItem.meeting_id == meeting.id)
                                   .order_by(ActionItem.id)))


def open_due_by(day: dt.date) -> sa.Select:
    return sa.select(ActionItem).where(ActionItem.state == ItemState.OPEN, ActionItem.due_on <= day)
