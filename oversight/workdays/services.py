"""Administering the calendar: single-day overrides and a year's official notice."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _

from ..accounts.permissions import can_manage_calendar
from ..audit import services as audit
from ..db import db
from ..errors import NotAllowed, ValidationFailed
from .models import CalendarDay, CalendarNotice


def _require(actor) -> None:
    if actor is not None and not can_manage_calendar(actor):
        raise NotAllowed(_("您没有维护工作日历的权限。"))


def _invalidate() -> None:
    g.pop("_work_calendar", None)


def set_day(*, actor, day: dt.date, working: bool, name: str = "", note: str = "") -> CalendarDay:
    _require(actor)
    if not working and not name.strip():
        raise ValidationFailed(_("放假日须填写节日名称。"), field="name")
    row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    before = {"working": row.working, "name": row.name} if row.working is not None else None
    row.working, row.name, row.note = working, name.strip(), note.strip()
    db.session.add(row)
    db.session.flush()
    audit.record("calendar.set_day", actor=actor, object_type="calendar_days", object_id=day.isoformat(),
                 summary={"before": before, "after": {"working": working, "name": row.name}})
    _invalidate()
    return row


def clear_day(*, actor, day: dt.date) -> None:
    _require(actor)
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise ValidationFailed(_("%(d)s 没有调整记录。", d=day.isoformat()))
    db.session.delete(row)
    audit.record("calendar.clear_day", actor=actor, object_type="calendar_days", object_id=day.isoformat())
    _invalidate()


def parse_notice_lines(text: str, year: int) -> list[tuple[dt.date, bool, str]]:
    """Read a notice typed as lines `YYYY-MM-DD[~YYYY-MM-DD] 放假|上班 名称`."""
    days, errors = [], []
    seen: dict[dt.date, int] = {}  # date → the line that listed it
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split()
        try:
            span, kind = parts[0], parts[1]
            name = " ".join(parts[2:])
            first, _sep, last = span.partition("~")
            start = dt.date.fromisoformat(first)
            end = dt.date.fromisoformat(last) if last else start
            if kind not in ("放假", "上班") or end < start or (end - start).days > 15:
                raise ValueError
        except (IndexError, ValueError):
            errors.append(_("第 %(n)d 行无法识别：“%(line)s”。格式：2027-02-05~2027-02-11 放假 春节", n=number, line=line))
            continue
        if start.year != year or end.year != year:
            errors.append(_("第 %(n)d 行的日期不在 %(y)d 年内。", n=number, y=year))
            continue
        if kind == "放假" and not name:
            errors.append(_("第 %(n)d 行缺少节日名称。", n=number))
            continue
        span_days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        repeated = [d for d in span_days if d in seen]
        if repeated:
            # Two rulings for one date would collide on the table's key (and may contradict).
            errors.append(_("第 %(n)d 行的日期 %(d)s 与第 %(m)d 行重复。", n=number,
                            d=repeated[0].isoformat(), m=seen[repeated[0]]))
            continue
        for day in span_days:
            seen[day] = number
            days.append((day, kind == "上班", name))
    if errors:
        raise ValidationFailed({"lines": "\n".join(errors)})
    if not days:
        raise ValidationFailed(_("请至少录入一行放假或上班安排。"), field="lines")
    return days


def enter_notice(*, actor, year: int, title: str, published_on: dt.date | None, lines: str) -> CalendarNotice:
    """Record a year's official notice; it replaces the library and the estimate for that year."""
    _require(actor)
    if not title.strip():
        raise ValidationFailed(_("请填写通知标题。"), field="title")
    days = parse_notice_lines(lines, year)
    db.session.execute(sa.delete(CalendarDay).where(
        CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31))))
    for day, working, name in days:
        db.session.add(CalendarDay(day=day, working=working, name=name))
    notice = db.session.get(CalendarNotice, year) or CalendarNotice(year=year)
    notice.title, notice.published_on = title.strip(), published_on
    notice.entered_by_id = actor.id if actor is not None else None
    db.session.add(notice)
    db.session.flush()
    audit.record("calendar.enter_notice", actor=actor, object_type="calendar_notices", object_id=str(year),
                 summary={"title": notice.title, "days": len(days)})
    _invalidate()
    return notice
