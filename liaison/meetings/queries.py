"""Read-only queries on meetings: the calendar, conflicts, the feed and follow-ups to carry over."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from oversight.db import db
from oversight.orgs.queries import in_scope
from ..permissions import is_staff
from .models import Invitation, Meeting
from .workflow import Response, State


def visible(user) -> sa.ColumnElement[bool]:
    """Meetings `user` may see: invited, or staff of either side's organisations in scope."""
    invited = Meeting.id.in_(sa.select(Invitation.meeting_id).where(Invitation.user_id == user.id))
    if not is_staff(user):
        return invited
    return sa.or_(invited, in_scope(Meeting.organiser_org_id, Meeting.counterpart_org_id, user=user))


def between(user, start: dt.datetime, end: dt.datetime, *, include_cancelled: bool = True) -> list[Meeting]:
    """Meetings overlapping [start, end) that `user` may see, by start time."""
    stmt = sa.select(Meeting).where(visible(user), Meeting.starts_at < end, Meeting.ends_at > start)
    if not include_cancelled:
        stmt = stmt.where(Meeting.state != State.CANCELLED)
    return list(db.session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id)))


def upcoming(user, *, now: dt.datetime, limit: int = 50) -> list[Meeting]:
    stmt = (sa.select(Meeting).where(visible(user), Meeting.ends_at >= now)
            .order_by(Meeting.starts_at, Meeting.id).limit(limit))
    return list(db.session.scalars(stmt))


def conflicts(user_id: int, starts_at: dt.datetime, ends_at: dt.datetime, *,
              exclude_id: int | None = None) -> list[Meeting]:
    """Other meetings, not cancelled, that overlap and that the user has not declined or handed on."""
    stmt = (sa.select(Meeting).join(Invitation, Invitation.meeting_id == Meeting.id)
            .where(Invitation.user_id == user_id,
                   Invitation.response.in_([Response.PENDING, Response.ACCEPTED]),
                   Meeting.state != State.CANCELLED, Meeting.starts_at < ends_at, Meeting.ends_at > starts_at))
    if exclude_id is not None:
        stmt = stmt.where(Meeting.id != exclude_id)
    return list(db.session.scalars(stmt.order_by(Meeting.starts_at)))


def for_feed(user_id: int, *, since: dt.datetime) -> list[Meeting]:
    """What a personal feed carries: meetings the user is invited to (not declined or handed on) or
    created, from `since` on. The caller still checks that the user may see each one."""
    stmt = (sa.select(Meeting).where(
        sa.or_(Meeting.id.in_(sa.select(Invitation.meeting_id).where(
                   Invitation.user_id == user_id,
                   Invitation.response.in_([Response.PENDING, Response.ACCEPTED]))),
               Meeting.created_by_id == user_id),
        Meeting.ends_at >= since).order_by(Meeting.starts_at, Meeting.id)
        # The feed checks each meeting's invitations and lists its agenda: two queries, not two per meeting.
        .options(selectinload(Meeting.invitations), selectinload(Meeting.agenda)))
    return list(db.session.scalars(stmt))


def invitation_of(meeting: Meeting, user) -> Invitation | None:
    return next((i for i in meeting.invitations if i.user_id == user.id), None)


# --- what an agenda item may link: only what the user may see ------------------------------------

def agenda_referrals(user, meeting: Meeting, limit: int = 200) -> list:
    """Numbered referrals between the meeting's two sides that `user` may open, newest first."""
    from oversight.referrals import permissions as referral_permissions
    from oversight.referrals.models import Referral

    pair = (meeting.organiser_org_id, meeting.counterpart_org_id)
    rows = db.session.scalars(sa.select(Referral).where(
        Referral.sender_org_id.in_(pair), Referral.receiver_org_id.in_(pair), Referral.serial.is_not(None))
        .order_by(Referral.id.desc()).limit(limit))
    return [r for r in rows if referral_permissions.can_view(user, r)]


def agenda_topics(user, limit: int = 200) -> list:
    """Oversight topics `user` may see (issues.queries.visible_to), most recently changed first."""
    from issues.models import Topic
    from issues.queries import visible_to

    return list(db.session.scalars(sa.select(Topic).where(visible_to(user))
                                   .order_by(Topic.updated_at.desc(), Topic.id.desc()).limit(limit)))


def agenda_reports(user, limit: int = 100) -> list:
    """Produced reports `user` may download (the reports archive's own rule)."""
    from reports.queries import archive_for

    return archive_for(user, limit=limit)
