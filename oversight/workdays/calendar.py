"""A pure working-day calendar. No Flask, no database: overrides are handed in."""
from __future__ import annotations

import calendar as _cal
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar

from .statutory import statutory_holidays

LIBRARY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

# How far a search for the next working day may run before the data must be wrong.
_MAX_SEARCH = 60


class Source(enum.StrEnum):
    NOTICE = "notice"        # the year's official notice, entered by an administrator
    OVERRIDE = "override"    # a single day changed by an administrator
    LIBRARY = "library"      # chinese_calendar
    STATUTE = "statute"      # computed from the statute; provisional


@dataclass(frozen=True)
class DayRule:
    """An administrator's ruling on one date."""

    working: bool
    name: str = ""


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    name: str          # holiday or make-up day name; "" for an ordinary day
    holiday: bool      # off because of a holiday (not merely a weekend)
    makeup: bool       # a weekend day announced as a working day (调休上班)
    source: Source
    provisional: bool


class PeriodUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    MONTHS = "months"


@dataclass(frozen=True)
class DeadlineRule:
    amount: int
    unit: PeriodUnit
    # For calendar periods: whether an ordinary weekend counts as a day off for rolling forward.
    roll_weekends: bool = True


@dataclass(frozen=True)
class Deadline:
    """A due date with the reasoning a user can be shown."""

    start: dt.date
    due: dt.date
    rule: DeadlineRule | None
    unrolled: dt.date | None = None            # last day of the period before rolling forward
    skipped: tuple[DayInfo, ...] = ()          # holidays (and weekends) passed over
    makeup_days: tuple[dt.date, ...] = ()      # make-up workdays counted
    provisional_years: tuple[int, ...] = ()    # years whose holidays were computed, not announced

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def rolled(self) -> bool:
        return self.unrolled is not None and self.unrolled != self.due


@lru_cache(maxsize=128)
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _ruled_holiday(rule: DayRule, weekend: bool) -> bool:
    return not rule.working and (not weekend or bool(rule.name))


@dataclass
class WorkCalendar:
    overrides: Mapping[dt.date, DayRule] = field(default_factory=dict)
    notice_years: frozenset[int] = frozenset()

    # --- one day --------------------------------------------------------------------------------
    def day(self, day: dt.date) -> DayInfo:
        weekend = day.weekday() >= 5
        rule = self.overrides.get(day)
        # A day ruled off is a holiday when it is a weekday, or a weekend day named as part of a
        # holiday (a Saturday inside 春节 is not a plain Saturday: it rolls even when weekends don't).
        if day.year in self.notice_years:
            # The notice lists every holiday and make-up day; other days follow the week.
            if rule is None:
                return DayInfo(day, not weekend, "", False, False, Source.NOTICE, False)
            return DayInfo(day, rule.working, rule.name, _ruled_holiday(rule, weekend),
                           rule.working and weekend, Source.NOTICE, False)
        if rule is not None:
            return DayInfo(day, rule.working, rule.name, _ruled_holiday(rule, weekend),
                           rule.working and weekend, Source.OVERRIDE, not _library_knows(day.year))
        if _library_knows(day.year):
            off, name = chinese_calendar.get_holiday_detail(day)
            name = LIBRARY_NAMES.get(name, name or "")
            working = not off
            return DayInfo(day, working, name if (name and (not working or weekend)) else "",
                           off and bool(name), working and weekend, Source.LIBRARY, False)
        name = statutory_holidays(day.year).get(day, "")
        return DayInfo(day, not weekend and not name, name, bool(name), False, Source.STATUTE, True)

    def is_working_day(self, day: dt.date) -> bool:
        return self.day(day).working

    def is_provisional(self, day: dt.date) -> bool:
        return day.year not in self.notice_years and not _library_knows(day.year)

    # --- periods --------------------------------------------------------------------------------
    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        if n < 0:
            raise ValueError("n must not be negative")
        day, counted, skipped, makeup, years = start, 0, [], [], set()
        while counted < n:
            day += dt.timedelta(days=1)
            info = self._note(day, years)
            if info.working:
                counted += 1
                if info.makeup:
                    makeup.append(day)
            elif info.holiday:
                skipped.append(info)
        return Deadline(start, day, DeadlineRule(n, PeriodUnit.WORKING_DAYS), None, tuple(skipped),
                        tuple(makeup), tuple(sorted(years)))

    def add_days(self, start: dt.date, n: int, *, roll_weekends: bool = True) -> Deadline:
        return self._roll(start, start + dt.timedelta(days=n), DeadlineRule(n, PeriodUnit.DAYS, roll_weekends))

    def add_months(self, start: dt.date, n: int, *, roll_weekends: bool = True) -> Deadline:
        month_index = start.month - 1 + n
        year, month = start.year + month_index // 12, month_index % 12 + 1
        last = _cal.monthrange(year, month)[1]
        end = dt.date(year, month, min(start.day, last))
        return self._roll(start, end, DeadlineRule(n, PeriodUnit.MONTHS, roll_weekends))

    def compute(self, start: dt.date, rule: DeadlineRule) -> Deadline:
        if rule.unit is PeriodUnit.WORKING_DAYS:
            return self.add_working_days(start, rule.amount)
        if rule.unit is PeriodUnit.DAYS:
            return self.add_days(start, rule.amount, roll_weekends=rule.roll_weekends)
        return self.add_months(start, rule.amount, roll_weekends=rule.roll_weekends)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.day(day).working
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        for _ in range(_MAX_SEARCH):
            if self.day(day).working:
                return day
            day += dt.timedelta(days=1)
        raise RuntimeError(f"no working day within {_MAX_SEARCH} days of {day}")

    def previous_working_day(self, day: dt.date) -> dt.date:
        """For lead times before an event: `day` if working, else the last working day before it."""
        for _ in range(_MAX_SEARCH):
            if self.day(day).working:
                return day
            day -= dt.timedelta(days=1)
        raise RuntimeError(f"no working day within {_MAX_SEARCH} days before {day}")

    # --- helpers --------------------------------------------------------------------------------
    def _note(self, day: dt.date, years: set[int]) -> DayInfo:
        info = self.day(day)
        if info.provisional:
            years.add(day.year)
        return info

    def _roll(self, start: dt.date, end: dt.date, rule: DeadlineRule) -> Deadline:
        years: set[int] = set()
        skipped, day = [], end
        for _ in range(_MAX_SEARCH):
            info = self._note(day, years)
            off = not info.working and (info.holiday or rule.roll_weekends)
            if not off:
                break
            skipped.append(info)
            day += dt.timedelta(days=1)
        else:
            raise RuntimeError(f"no working day within {_MAX_SEARCH} days of {end}")
        return Deadline(start, day, rule, end, tuple(skipped), (), tuple(sorted(years)))
