"""The working-day calendar: Chinese statutory holidays and make-up workdays, and deadlines.

Sources, in order of precedence for a date:
1. an override row entered by an administrator (one day, or a whole year's official notice);
2. the `chinese_calendar` package, for the years it knows;
3. the statutory holidays of 《全国年节及纪念日放假办法》 computed for the year — marked provisional.

`is_working_day`, `add_working_days` and `working_days_between` are the stable interface; use
`compute_deadline` when the reasoning behind a due date must be shown to a user.
"""
from __future__ import annotations

import datetime as dt

from .calendar import Deadline, DeadlineRule, DayInfo, PeriodUnit, WorkCalendar


def today() -> dt.date:
    """Today's date in the deployment's time zone (Asia/Shanghai), whatever the server's clock zone."""
    from zoneinfo import ZoneInfo

    from flask import current_app, has_app_context

    zone = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return dt.datetime.now(ZoneInfo(zone)).date()


def current_calendar() -> WorkCalendar:
    """The calendar with this deployment's overrides; cached for the app context."""
    from flask import g, has_app_context

    if not has_app_context():
        return WorkCalendar()
    cal = g.get("_work_calendar")
    if cal is None:
        from .queries import load_calendar

        cal = g._work_calendar = load_calendar()
    return cal


def is_working_day(day: dt.date) -> bool:
    return current_calendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (the start day itself is not counted)."""
    return current_calendar().add_working_days(start, n).due


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    return current_calendar().working_days_between(start, end)


def add_days(start: dt.date, n: int, *, roll_weekends: bool = True) -> dt.date:
    """`start` + n calendar days, rolled to the next working day when the last day is not one."""
    return current_calendar().add_days(start, n, roll_weekends=roll_weekends).due


def add_months(start: dt.date, n: int, *, roll_weekends: bool = True) -> dt.date:
    """The corresponding day n months later (or the month's last day), rolled like `add_days`."""
    return current_calendar().add_months(start, n, roll_weekends=roll_weekends).due


def compute_deadline(start: dt.date, rule: DeadlineRule) -> Deadline:
    return current_calendar().compute(start, rule)


__all__ = [
    "DayInfo", "Deadline", "DeadlineRule", "PeriodUnit", "WorkCalendar", "add_days", "add_months",
    "add_working_days", "compute_deadline", "current_calendar", "is_working_day", "today",
    "working_days_between",
]
