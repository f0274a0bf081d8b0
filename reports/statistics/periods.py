"""Calendar periods in the deployment's time zone: weeks (Monday to Sunday), months, quarters, years.

A period is named by a key (`2026-W48`, `2026-11`, `2026-Q4`, `2026`) that report runs store and
URLs carry; `Period.parse` reads it back and refuses anything else with a Chinese message.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _

from oversight.errors import ValidationFailed


class PeriodKind(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_PATTERNS = {
    PeriodKind.WEEK: re.compile(r"^(\d{4})-W(\d{2})$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
}


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"] if has_app_context() else "Asia/Shanghai")


@dataclass(frozen=True, order=True)
class Period:
    kind: PeriodKind
    start: dt.date   # first day
    end: dt.date     # the day after the last day (half-open)

    @classmethod
    def containing(cls, kind: PeriodKind, day: dt.date) -> Period:
        if kind is PeriodKind.WEEK:
            start = day - dt.timedelta(days=day.weekday())
            return cls(kind, start, start + dt.timedelta(days=7))
        if kind is PeriodKind.MONTH:
            start = day.replace(day=1)
        elif kind is PeriodKind.QUARTER:
            start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        else:
            start = dt.date(day.year, 1, 1)
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
        index = start.month - 1 + months
        return cls(kind, start, dt.date(start.year + index // 12, index % 12 + 1, 1))

    @classmethod
    def parse(cls, kind: PeriodKind | str, key: str) -> Period:
        """The period named `key`; ValidationFailed (in Chinese) for a malformed or impossible key."""
        try:
            kind = PeriodKind(kind)
        except ValueError:
            raise ValidationFailed(_("周期类型无效。"), field="kind") from None
        match = _PATTERNS[kind].match((key or "").strip())
        try:
            if not match:
                raise ValueError(key)
            year = int(match.group(1))
            if kind is PeriodKind.WEEK:
                return cls.containing(kind, dt.date.fromisocalendar(year, int(match.group(2)), 1))
            if kind is PeriodKind.MONTH:
                return cls.containing(kind, dt.date(year, int(match.group(2)), 1))
            if kind is PeriodKind.QUARTER:
                return cls.containing(kind, dt.date(year, 3 * int(match.group(2)) - 2, 1))
            return cls.containing(kind, dt.date(year, 1, 1))
        except ValueError:
            example = {PeriodKind.WEEK: "2026-W48", PeriodKind.MONTH: "2026-11", PeriodKind.QUARTER: "2026-Q4",
                       PeriodKind.YEAR: "2026"}[kind]
            raise ValidationFailed(_("周期“%(k)s”格式不正确，应形如 %(e)s。", k=key, e=example), field="period") from None

    @property
    def key(self) -> str:
        if self.kind is PeriodKind.WEEK:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.WEEK:
            return _("%(s)s 至 %(e)s", s=self.start.isoformat(), e=self.last_day.isoformat())
        if self.kind is PeriodKind.MONTH:
            return _("%(y)d年%(m)d月", y=self.start.year, m=self.start.month)
        if self.kind is PeriodKind.QUARTER:
            return _("%(y)d年第%(q)d季度", y=self.start.year, q=(self.start.month - 1) // 3 + 1)
        return _("%(y)d年", y=self.start.year)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes at local midnight, for comparing stored UTC instants."""
        tz = zone()
        return (dt.datetime.combine(self.start, dt.time(), tz), dt.datetime.combine(self.end, dt.time(), tz))

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def is_future(self, today: dt.date) -> bool:
        """A period that has not begun yet (the current period is not in the future)."""
        return self.start > today

    def is_complete(self, today: dt.date) -> bool:
        return self.end <= today
