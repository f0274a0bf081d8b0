from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..db import db
from .calendar import DayRule, WorkCalendar, _library_knows
from .models import CalendarDay, CalendarNotice


def load_calendar() -> WorkCalendar:
    rows = db.session.execute(sa.select(CalendarDay.day, CalendarDay.working, CalendarDay.name)).all()
    years = db.session.scalars(sa.select(CalendarNotice.year)).all()
    return WorkCalendar({d: DayRule(w, n) for d, w, n in rows}, frozenset(years))


def days_of_year(year: int) -> list[CalendarDay]:
    return list(db.session.scalars(
        sa.select(CalendarDay).where(CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .order_by(CalendarDay.day)
    ))


def provisional_years(today: dt.date, ahead: int = 1) -> list[int]:
    """Years from this one to `ahead` later whose holidays are only estimated."""
    notices = set(db.session.scalars(sa.select(CalendarNotice.year)))
    return [y for y in range(today.year, today.year + ahead + 1)
            if y not in notices and not _library_knows(y)]
