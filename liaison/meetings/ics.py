"""iCalendar (RFC 5545) for meetings: an invitation file per meeting and a personal feed.

Times are written in Asia/Shanghai with a VTIMEZONE, so clients show them as entered. The UID is the
meeting's own, fixed at creation, and SEQUENCE rises with every change: a client that imported the
invitation updates the same event, and a cancellation (METHOD:CANCEL, STATUS:CANCELLED) removes it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from oversight.db import db, utcnow
from ..labels import label
from .models import CalendarFeed, Meeting
from .workflow import State

PRODID = "-//jiandu-xianjie//liaison meetings//ZH"


def _calendar(method: str, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", current_app.config["TIMEZONE"])
    return cal


def event_for(meeting: Meeting, *, url: str = "", private: bool = True) -> Event:
    """One VEVENT. `private=False` (the public token feed) carries only the title, time, place,
    organiser and status: no agenda, description, cancel reason or online link (which may hold a passcode)."""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", f"【{label(meeting.kind)}】{meeting.title}")
    event.add("status", "CANCELLED" if meeting.state is State.CANCELLED else "CONFIRMED")
    if not private:
        if meeting.place:
            event.add("location", meeting.place)
        organiser = vCalAddress(f"urn:x-liaison:org:{meeting.organiser_org_id}")
        organiser.params["cn"] = vText(meeting.organiser_org.name)
        event.add("organizer", organiser)
        if url:
            event.add("url", url)
        return event
    if meeting.place or meeting.online_url:
        event.add("location", " ".join(p for p in (meeting.place, meeting.online_url) if p))
    lines = [f"{meeting.organiser_org.name} · {meeting.counterpart_org.name}"]
    lines += [f"{i}. {item.title}" for i, item in enumerate(meeting.agenda, start=1)]
    if meeting.state is State.CANCELLED and meeting.cancel_reason:
        lines.append(meeting.cancel_reason)
    event.add("description", "\n".join(lines))
    if url:
        event.add("url", url)
    return event


def invitation_ics(meeting: Meeting, *, url: str = "") -> bytes:
    """The .ics of one meeting: a REQUEST, or a CANCEL once the meeting is cancelled."""
    cal = _calendar("CANCEL" if meeting.state is State.CANCELLED else "REQUEST")
    cal.add_component(event_for(meeting, url=url))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_ics(meetings: list[Meeting], *, name: str, url_for_meeting=lambda m: "") -> bytes:
    cal = _calendar("PUBLISH", name)
    for meeting in meetings:
        cal.add_component(event_for(meeting, url=url_for_meeting(meeting), private=False))
    cal.add_missing_timezones()
    return cal.to_ical()


# --- the personal feed's secret ---------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(user) -> str:
    """A new secret for `user`'s feed (the old feed URL stops working). Only the hash is stored."""
    token = secrets.token_urlsafe(32)
    row = db.session.get(CalendarFeed, user.id)
    if row is None:
        row = CalendarFeed(user_id=user.id, token_hash=_hash(token))
        db.session.add(row)
    else:
        row.token_hash, row.created_at, row.last_used_at = _hash(token), utcnow(), None
    db.session.flush()
    from oversight.audit import services as audit

    audit.record("liaison.feed.issue", actor=user, object_type="liaison_calendar_feeds", object_id=user.id)
    return token


def feed_owner(token: str):
    """The active user whose feed `token` opens, or None."""
    if not token or len(token) > 100:
        return None
    import sqlalchemy as sa

    row = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if row is None or not row.user.active:
        return None
    return row.user


def has_feed(user) -> bool:
    return db.session.get(CalendarFeed, user.id) is not None


def feed_since() -> dt.datetime:
    return utcnow() - dt.timedelta(days=180)
