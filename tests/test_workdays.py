"""The working-day calendar (DOMAIN.md §3): statutory holidays, make-up workdays, deadlines.

Real cases come from the State Council's notices for 2025 and 2026 (as listed in DOMAIN.md §3);
2027 has no notice yet, so its holidays are computed from 《全国年节及纪念日放假办法》 and marked
provisional until an administrator enters the notice.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from hypothesis import given, settings, strategies as st

from oversight.audit.models import AuditEntry
from oversight.db import db
from oversight.errors import NotAllowed, ValidationFailed
from oversight.workdays import (
    DeadlineRule, PeriodUnit, WorkCalendar, add_days, add_months, add_working_days, compute_deadline,
    is_working_day, working_days_between,
)
from oversight.workdays import services
from oversight.workdays.calendar import DayRule, Source
from oversight.workdays.models import CalendarDay, CalendarNotice
from oversight.workdays.statutory import statutory_holidays

from .conftest import text_of

D = dt.date
CAL = WorkCalendar()  # no overrides: the library for ≤ 2026, the statute beyond


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --- 1. the announced years (2025, 2026) ------------------------------------------------------------

# (first, last, name) — every day in the range is off.
HOLIDAYS = [
    (D(2026, 1, 1), D(2026, 1, 3), "元旦"),
    (D(2026, 2, 15), D(2026, 2, 23), "春节"),
    (D(2026, 4, 4), D(2026, 4, 6), "清明节"),
    (D(2026, 5, 1), D(2026, 5, 5), "劳动节"),
    (D(2026, 6, 19), D(2026, 6, 21), "端午节"),
    (D(2026, 9, 25), D(2026, 9, 27), "中秋节"),
    (D(2026, 10, 1), D(2026, 10, 7), "国庆节"),
    (D(2025, 1, 28), D(2025, 2, 4), "春节"),
    (D(2025, 5, 1), D(2025, 5, 5), "劳动节"),
    (D(2025, 10, 1), D(2025, 10, 8), None),  # 国庆·中秋 together
]

# Weekend days announced as working days (调休上班).
MAKEUP_DAYS = [
    D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10),
    D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11),
]


@pytest.mark.parametrize("first,last,name", HOLIDAYS, ids=[f"{f}-{n or '国庆中秋'}" for f, _l, n in HOLIDAYS])
def test_announced_holidays_are_off(first, last, name):
    for day in days(first, last):
        info = CAL.day(day)
        assert not info.working and info.holiday, day
        assert not info.provisional and info.source is Source.LIBRARY
        if name:
            assert info.name == name, day
    # the days either side of the block are not part of it
    assert not CAL.day(first - dt.timedelta(days=1)).holiday
    assert not CAL.day(last + dt.timedelta(days=1)).holiday


@pytest.mark.parametrize("day", MAKEUP_DAYS, ids=str)
def test_makeup_days_are_working_weekend_days(day):
    info = CAL.day(day)
    assert day.weekday() >= 5, "a make-up day is a Saturday or Sunday"
    assert info.working and info.makeup and not info.holiday
    assert CAL.is_working_day(day)


def test_a_plain_weekend_is_off_but_not_a_holiday():
    info = CAL.day(D(2026, 3, 7))  # an ordinary Saturday
    assert not info.working and not info.holiday and not info.makeup and info.name == ""
    assert CAL.day(D(2026, 3, 9)).working  # an ordinary Monday


def test_working_days_count_makeup_saturday_in_spring_festival():
    """2026-02-13 (Fri) + 1 working day is the make-up Saturday 2/14; + 2 jumps the whole festival."""
    one = CAL.add_working_days(D(2026, 2, 13), 1)
    assert one.due == D(2026, 2, 14) and one.makeup_days == (D(2026, 2, 14),)
    three = CAL.add_working_days(D(2026, 2, 12), 3)  # 2/13, 2/14 (Sat, worked), then 2/24
    assert three.due == D(2026, 2, 24)
    assert three.makeup_days == (D(2026, 2, 14),)
    assert [s.date for s in three.skipped] == days(D(2026, 2, 15), D(2026, 2, 23))
    assert {s.name for s in three.skipped} == {"春节"}
    assert not three.provisional and three.provisional_years == ()


def test_working_days_across_national_day_count_the_makeup_saturday():
    """2026-09-28 (Mon) + 5 working days: 9/29, 9/30, 10/8, 10/9, 10/10 (Sat, worked)."""
    result = CAL.add_working_days(D(2026, 9, 28), 5)
    assert result.due == D(2026, 10, 10)
    assert result.makeup_days == (D(2026, 10, 10),)
    assert [s.date for s in result.skipped] == days(D(2026, 10, 1), D(2026, 10, 7))
    # 9/20 (Sun) is worked before National Day
    assert CAL.add_working_days(D(2026, 9, 18), 1).due == D(2026, 9, 20)


@pytest.mark.parametrize("start,n,due", [
    (D(2025, 12, 31), 1, D(2026, 1, 4)),    # 元旦 off 1/1–1/3, Sunday 1/4 worked
    (D(2026, 4, 30), 1, D(2026, 5, 6)),     # 劳动节 1–5 May
    (D(2026, 4, 30), 4, D(2026, 5, 9)),     # … the make-up Saturday is the fourth
    (D(2026, 4, 3), 1, D(2026, 4, 7)),      # 清明 4–6 April
    (D(2026, 6, 18), 1, D(2026, 6, 22)),    # 端午 19–21 June
    (D(2026, 9, 24), 1, D(2026, 9, 28)),    # 中秋 25–27 September
    (D(2026, 10, 3), 1, D(2026, 10, 8)),    # starting inside a holiday
    (D(2025, 1, 24), 1, D(2025, 1, 26)),    # 2025 春节: Sunday 1/26 worked
    (D(2025, 1, 27), 1, D(2025, 2, 5)),     # then off 1/28–2/4
    (D(2025, 2, 7), 1, D(2025, 2, 8)),      # Saturday 2/8 worked
    (D(2025, 4, 25), 1, D(2025, 4, 27)),    # Sunday 4/27 worked
    (D(2025, 4, 30), 1, D(2025, 5, 6)),     # 劳动节 1–5 May
    (D(2025, 9, 26), 1, D(2025, 9, 28)),    # Sunday 9/28 worked
    (D(2025, 9, 30), 1, D(2025, 10, 9)),    # 国庆·中秋 1–8 October
    (D(2025, 9, 30), 3, D(2025, 10, 11)),   # Saturday 10/11 worked
])
def test_add_working_days_real_cases(start, n, due):
    assert CAL.add_working_days(start, n).due == due


def test_the_start_day_itself_is_never_counted():
    assert CAL.add_working_days(D(2026, 3, 2), 1).due == D(2026, 3, 3)   # Mon → Tue
    assert CAL.add_working_days(D(2026, 3, 2), 0).due == D(2026, 3, 2)
    assert CAL.add_days(D(2026, 3, 2), 1).due == D(2026, 3, 3)
    assert CAL.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert CAL.working_days_between(D(2026, 3, 2), D(2026, 3, 3)) == 1
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2026, 3, 2), -1)


def test_working_days_between_over_spring_festival():
    # 2026: after Fri 2/13 up to Tue 2/24 — Sat 2/14 (worked) and 2/24.
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert CAL.working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    # 2025: after Fri 1/24 up to Mon 2/10 — 1/26, 1/27, 2/5, 2/6, 2/7, 2/8, 2/10.
    assert CAL.working_days_between(D(2025, 1, 24), D(2025, 2, 10)) == 7
    # and it agrees with add_working_days
    assert CAL.add_working_days(D(2025, 1, 24), 7).due == D(2025, 2, 10)


def test_calendar_days_landing_in_national_day_roll_past_it():
    result = CAL.add_days(D(2026, 9, 1), 30)
    assert result.unrolled == D(2026, 10, 1) and result.due == D(2026, 10, 8) and result.rolled
    assert [s.date for s in result.skipped] == days(D(2026, 10, 1), D(2026, 10, 7))
    result = CAL.add_days(D(2025, 9, 1), 30)
    assert result.unrolled == D(2025, 10, 1) and result.due == D(2025, 10, 9)
    assert len(result.skipped) == 8
    assert not result.provisional


def test_calendar_days_ending_on_a_working_day_are_not_rolled():
    result = CAL.add_days(D(2026, 9, 1), 29)  # Wed 9/30
    assert result.due == result.unrolled == D(2026, 9, 30) and not result.rolled and result.skipped == ()
    # a make-up Saturday is a working day: a period ending on it ends there
    result = CAL.add_days(D(2026, 10, 1), 9)
    assert result.due == D(2026, 10, 10) and not result.rolled


def test_months_end_on_the_corresponding_day_or_the_months_last():
    # 1/31 + 1 month = 2/28; in 2026 that Saturday is a make-up workday, so it stands
    result = CAL.add_months(D(2026, 1, 31), 1)
    assert result.unrolled == D(2026, 2, 28) and result.due == D(2026, 2, 28) and not result.rolled
    assert CAL.add_months(D(2025, 1, 31), 1).due == D(2025, 2, 28)        # a Friday
    assert CAL.add_months(D(2024, 1, 31), 1).due == D(2024, 2, 29)        # leap year, Thursday
    assert CAL.add_months(D(2026, 3, 31), 1).due == D(2026, 4, 30)
    assert CAL.add_months(D(2026, 11, 30), 3).due == D(2027, 3, 1)        # Sun 2027-02-28 → Mon
    assert CAL.add_months(D(2026, 5, 15), -3).unrolled == D(2026, 2, 15)  # negative months work too


def test_months_landing_on_a_holiday_are_rolled():
    result = CAL.add_months(D(2026, 1, 15), 1)  # 2/15, 春节
    assert result.unrolled == D(2026, 2, 15) and result.due == D(2026, 2, 24) and result.rolled
    assert CAL.add_months(D(2026, 9, 1), 1).due == D(2026, 10, 8)
    assert CAL.add_months(D(2025, 8, 31), 1).due == D(2025, 9, 30)      # 9/30 is a Tuesday
    assert CAL.add_months(D(2026, 8, 31), 1).due == D(2026, 9, 30)


def test_roll_weekends_false_keeps_a_plain_saturday_but_rolls_a_holiday():
    kept = CAL.add_days(D(2026, 3, 1), 6, roll_weekends=False)  # Sat 3/7
    assert kept.due == D(2026, 3, 7) and not kept.rolled
    assert CAL.add_days(D(2026, 3, 1), 6).due == D(2026, 3, 9)  # default: rolled to Monday
    rolled = CAL.add_days(D(2026, 9, 1), 30, roll_weekends=False)
    assert rolled.due == D(2026, 10, 8)
    # a Sunday inside 春节 is a holiday, not a plain weekend day
    assert CAL.add_days(D(2026, 1, 16), 30, roll_weekends=False).due == D(2026, 2, 24)
    assert CAL.add_months(D(2026, 2, 7), 1, roll_weekends=False).due == D(2026, 3, 7)


def test_compute_dispatches_on_the_unit():
    start = D(2026, 9, 28)
    assert CAL.compute(start, DeadlineRule(5, PeriodUnit.WORKING_DAYS)).due == D(2026, 10, 10)
    assert CAL.compute(start, DeadlineRule(3, PeriodUnit.DAYS)).due == D(2026, 10, 8)
    assert CAL.compute(D(2026, 9, 1), DeadlineRule(1, PeriodUnit.MONTHS)).due == D(2026, 10, 8)
    assert CAL.compute(D(2026, 3, 1), DeadlineRule(6, PeriodUnit.DAYS, roll_weekends=False)).due == D(2026, 3, 7)


def test_lead_times_suggest_the_previous_working_day():
    assert CAL.previous_working_day(D(2026, 10, 4)) == D(2026, 9, 30)
    assert CAL.previous_working_day(D(2026, 10, 10)) == D(2026, 10, 10)  # worked Saturday
    assert CAL.next_working_day(D(2026, 10, 4)) == D(2026, 10, 8)
    assert CAL.next_working_day(D(2026, 9, 20)) == D(2026, 9, 20)


def test_module_functions_without_an_app_use_the_plain_calendar():
    assert not is_working_day(D(2026, 10, 1)) and is_working_day(D(2026, 10, 10))
    assert add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert add_days(D(2026, 9, 1), 30) == D(2026, 10, 8)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert compute_deadline(D(2026, 9, 28), DeadlineRule(5, PeriodUnit.WORKING_DAYS)).makeup_days == (D(2026, 10, 10),)


# --- 2. a year without a notice (2027) ----------------------------------------------------------------

STATUTE_2027 = {
    D(2027, 1, 1): "元旦",
    **{d: "春节" for d in days(D(2027, 2, 5), D(2027, 2, 8))},  # 除夕 to 初三
    D(2027, 4, 5): "清明节",
    D(2027, 5, 1): "劳动节", D(2027, 5, 2): "劳动节",
    D(2027, 6, 9): "端午节",
    D(2027, 9, 15): "中秋节",
    **{d: "国庆节" for d in days(D(2027, 10, 1), D(2027, 10, 3))},
}
# Art. 6: each holiday on a Saturday or Sunday is made up on the next weekday that is free.
BUJIA_2027 = {
    D(2027, 2, 9): "春节（补假）", D(2027, 2, 10): "春节（补假）",     # for Sat 2/6, Sun 2/7
    D(2027, 5, 3): "劳动节（补假）", D(2027, 5, 4): "劳动节（补假）",   # for Sat 5/1, Sun 5/2
    D(2027, 10, 4): "国庆节（补假）", D(2027, 10, 5): "国庆节（补假）",  # for Sat 10/2, Sun 10/3
}


def test_2027_statutory_holidays_are_computed():
    assert statutory_holidays(2027) == {**STATUTE_2027, **BUJIA_2027}


def test_2027_bujia_is_consistent_with_article_6():
    computed = statutory_holidays(2027)
    statutory = [d for d, name in computed.items() if "补假" not in name]
    bujia = [d for d, name in computed.items() if "补假" in name]
    assert len(bujia) == sum(d.weekday() >= 5 for d in statutory)  # one per weekend holiday
    assert all(d.weekday() < 5 for d in bujia) and not set(bujia) & set(statutory)
    # so the number of weekdays off equals the number of statutory days (13)
    assert sum(d.weekday() < 5 for d in computed) == len(statutory) == 13


@pytest.mark.parametrize("year", range(2025, 2041))
def test_statute_bujia_invariant_holds_in_later_years(year):
    computed = statutory_holidays(year)
    statutory = {d for d, name in computed.items() if "补假" not in name}
    assert sum(d.weekday() < 5 for d in computed) == len(statutory)
    assert all(d.year == year for d in computed)
    # every 补假 day follows its holiday within the same fortnight and is a weekday
    for d, name in computed.items():
        if "补假" in name:
            assert d.weekday() < 5
            assert any(0 < (d - h).days <= 14 and name.startswith(computed[h]) for h in statutory)


@pytest.mark.parametrize("year", range(2008, 2027))
def test_statute_lunar_dates_match_the_announced_years(year):
    """The lunar and solar-term dates computed for the statute agree with every notice the
    library holds (days common to the 2008, 2013 and 2024 versions of the statute)."""
    computed = statutory_holidays(year)
    spring = sorted(d for d, n in computed.items() if n == "春节")
    assert spring == days(spring[0], spring[0] + dt.timedelta(days=3))  # 除夕 and 初一–初三
    eve = spring[0]
    for day, name in computed.items():
        if "补假" in name:
            continue  # notices arrange these with 调休 instead
        if year < 2025 and (day == eve or day == D(year, 5, 2)):
            continue  # 除夕 and 5/2 became statutory only in 2025; older notices varied
        assert not CAL.is_working_day(day), (day, name)


def test_2027_days_follow_the_statute_and_are_provisional():
    for day in days(D(2027, 1, 1), D(2027, 12, 31)):  # no NotImplementedError anywhere
        info = CAL.day(day)
        assert info.source is Source.STATUTE and info.provisional and not info.makeup
        off = day in STATUTE_2027 or day in BUJIA_2027
        assert info.holiday == off, day
        assert info.working == (not off and day.weekday() < 5), day
    assert CAL.is_provisional(D(2027, 6, 1)) and not CAL.is_provisional(D(2026, 6, 1))
    assert not CAL.is_working_day(D(2027, 2, 20))  # a Saturday: no make-up workdays without a notice


def test_periods_crossing_new_year_into_2027_are_provisional():
    result = CAL.add_working_days(D(2026, 12, 28), 10)
    assert result.due == D(2027, 1, 12)  # 12/29–12/31, 1/4–1/8, 1/11, 1/12; 1/1 off
    assert [s.date for s in result.skipped] == [D(2027, 1, 1)]
    assert result.provisional_years == (2027,) and result.provisional
    assert CAL.add_days(D(2026, 12, 1), 31).provisional_years == (2027,)   # 2027-01-01 → 1/4
    assert CAL.add_days(D(2026, 12, 1), 31).due == D(2027, 1, 4)
    assert CAL.add_months(D(2026, 12, 31), 2).provisional_years == (2027,)
    assert CAL.working_days_between(D(2026, 12, 1), D(2027, 1, 31)) == 22 + 20
    # staying inside 2026 is not provisional, even near the year's end
    assert CAL.add_working_days(D(2026, 12, 1), 20).provisional_years == ()
    assert CAL.add_days(D(2026, 11, 1), 30).provisional_years == ()


def test_2027_deadlines_skip_spring_festival_and_its_bujia():
    result = CAL.add_working_days(D(2027, 2, 4), 1)   # Thu → off 2/5–2/10 → Thu 2/11
    assert result.due == D(2027, 2, 11)
    assert [s.date for s in result.skipped] == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8),
                                               D(2027, 2, 9), D(2027, 2, 10)]
    assert result.provisional_years == (2027,)
    assert CAL.add_days(D(2027, 9, 1), 30).due == D(2027, 10, 6)
    assert CAL.add_months(D(2027, 1, 31), 1).due == D(2027, 3, 1)          # Sun 2/28 → Mon 3/1
    assert CAL.add_days(D(2027, 4, 1), 4, roll_weekends=False).due == D(2027, 4, 6)  # 清明 rolled


# --- 3. overrides and notices, through the services ------------------------------------------------

NOTICE_2027 = """
2027-01-01~2027-01-03 放假 元旦
2027-02-05~2027-02-11 放假 春节
2027-02-20 上班 春节调休
2027-04-03~2027-04-05 放假 清明节
2027-05-01~2027-05-05 放假 劳动节
2027-05-08 上班 劳动节调休
2027-06-09 放假 端午节
2027-09-15 放假 中秋节
2027-10-01~2027-10-07 放假 国庆节
2027-09-26 上班 国庆节调休
2027-10-09 上班 国庆节调休
"""
NOTICE_TITLE = "国务院办公厅关于2027年部分节假日安排的通知"


def _enter_2027(actor, lines: str = NOTICE_2027):
    notice = services.enter_notice(actor=actor, year=2027, title=NOTICE_TITLE, published_on=D(2026, 11, 10),
                                   lines=lines)
    db.session.commit()
    return notice


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_a_single_day_override_changes_is_working_day(app, world):
    weekday, saturday = D(2026, 3, 3), D(2026, 3, 7)
    assert is_working_day(weekday) and not is_working_day(saturday)
    services.set_day(actor=world.admin, day=weekday, working=False, name="地方节日")
    services.set_day(actor=world.admin, day=saturday, working=True, name="调休")
    db.session.commit()
    assert not is_working_day(weekday) and is_working_day(saturday)
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 9)) == 5  # 3/4, 3/5, 3/6, 3/7, 3/9
    services.clear_day(actor=world.admin, day=weekday)
    db.session.commit()
    assert is_working_day(weekday)
    assert [e.object_id for e in _audit("calendar.set_day")] == ["2026-03-03", "2026-03-07"]
    assert [e.object_id for e in _audit("calendar.clear_day")] == ["2026-03-03"]


def test_the_database_calendar_handles_2027_without_a_notice(app, world):
    services.set_day(actor=world.admin, day=D(2026, 12, 31), working=False, name="地方假日")
    db.session.commit()
    for day in days(D(2027, 1, 1), D(2027, 12, 31)):
        assert is_working_day(day) == CAL.is_working_day(day), day
    assert add_working_days(D(2026, 12, 28), 10) == D(2027, 1, 13)  # 12/31 now off too
    assert working_days_between(D(2026, 12, 28), D(2027, 1, 4)) == 3
    result = compute_deadline(D(2026, 12, 28), DeadlineRule(1, PeriodUnit.MONTHS))
    assert result.due == D(2027, 1, 28) and result.provisional_years == (2027,)
    assert compute_deadline(D(2026, 12, 1), DeadlineRule(20, PeriodUnit.DAYS)).provisional_years == ()


def test_set_day_audit_records_before_and_after(app, world):
    services.set_day(actor=world.admin, day=D(2027, 2, 9), working=True)
    services.set_day(actor=world.admin, day=D(2027, 2, 9), working=False, name="春节")
    db.session.commit()
    first, second = _audit("calendar.set_day")
    assert first.actor_id == second.actor_id == world.admin.id
    assert first.object_type == "calendar_days" and first.object_id == "2027-02-09"
    assert json.loads(first.summary) == {"before": None, "after": {"working": True, "name": ""}}
    assert json.loads(second.summary) == {"before": {"working": True, "name": ""},
                                          "after": {"working": False, "name": "春节"}}
    # an override in 2027 is still provisional: the rest of the year is an estimate
    info = WorkCalendar({D(2027, 2, 9): DayRule(False, "春节")}).day(D(2027, 2, 9))
    assert info.source is Source.OVERRIDE and info.provisional


def test_a_holiday_override_needs_a_name(app, world):
    with pytest.raises(ValidationFailed) as caught:
        services.set_day(actor=world.admin, day=D(2026, 3, 3), working=False, name="  ")
    assert caught.value.field == "name" and "名称" in caught.value.message
    with pytest.raises(ValidationFailed):
        services.clear_day(actor=world.admin, day=D(2026, 3, 3))  # nothing to clear
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 0


def test_entering_the_2027_notice_replaces_the_estimate(app, world):
    before = add_working_days(D(2027, 2, 19), 1)
    assert before == D(2027, 2, 22)  # Sat 2/20 is off under the statute
    assert compute_deadline(D(2027, 1, 20), DeadlineRule(10, PeriodUnit.WORKING_DAYS)).provisional_years == (2027,)

    notice = _enter_2027(world.admin)
    assert notice.year == 2027 and notice.entered_by_id == world.admin.id

    assert is_working_day(D(2027, 2, 20))       # Saturday, 春节调休
    assert not is_working_day(D(2027, 2, 10))   # 春节 per the notice
    assert not is_working_day(D(2027, 2, 11))   # beyond the statute's 补假, announced
    assert is_working_day(D(2027, 10, 9))
    assert add_working_days(D(2027, 2, 19), 1) == D(2027, 2, 20)
    result = compute_deadline(D(2027, 2, 4), DeadlineRule(2, PeriodUnit.WORKING_DAYS))
    assert result.due == D(2027, 2, 15) and result.provisional_years == () and not result.provisional
    assert compute_deadline(D(2026, 12, 28), DeadlineRule(10, PeriodUnit.WORKING_DAYS)).provisional_years == ()
    # what the notice does not list follows the week, not the statute's estimate
    assert is_working_day(D(2027, 6, 10)) and not is_working_day(D(2027, 6, 12))
    from oversight.workdays import current_calendar

    cal = current_calendar()
    assert not cal.is_provisional(D(2027, 6, 1))
    assert cal.day(D(2027, 2, 20)).makeup and cal.day(D(2027, 2, 20)).name == "春节调休"
    assert cal.day(D(2027, 2, 10)).source is Source.NOTICE

    entry, = _audit("calendar.enter_notice")
    assert entry.object_id == "2027" and entry.actor_id == world.admin.id
    assert json.loads(entry.summary) == {"title": NOTICE_TITLE, "days": 31}


def test_a_weekend_day_inside_an_announced_holiday_is_a_holiday(app, world):
    """Sat 2027-02-06 is part of 春节 per the notice: it rolls even when plain weekends do not."""
    _enter_2027(world.admin)
    from oversight.workdays import current_calendar

    cal = current_calendar()
    info = cal.day(D(2027, 2, 6))
    assert not info.working and info.holiday and info.name == "春节"
    assert cal.add_days(D(2027, 1, 6), 31, roll_weekends=False).due == D(2027, 2, 12)
    assert D(2027, 2, 6) in [s.date for s in cal.add_working_days(D(2027, 2, 4), 1).skipped]
    # a plain weekend in the notice year is still kept when weekends do not roll
    assert cal.add_days(D(2027, 3, 1), 5, roll_weekends=False).due == D(2027, 3, 6)


def test_reentering_a_notice_replaces_the_years_rows(app, world):
    services.set_day(actor=world.admin, day=D(2027, 3, 3), working=False, name="旧调整")
    _enter_2027(world.admin)
    assert is_working_day(D(2027, 3, 3))  # the notice replaced the year's overrides
    _enter_2027(world.admin, "2027-02-06~2027-02-12 放假 春节\n2027-02-20 上班 春节调休")
    assert is_working_day(D(2027, 10, 4)) and not is_working_day(D(2027, 2, 12))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarNotice)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 8
    assert len(_audit("calendar.enter_notice")) == 2


@pytest.mark.parametrize("lines,expected", [
    pytest.param("2027-02-05~2027-02-11 放假 春节\n2027/02/20 上班", ["第 2 行无法识别"], id="slashes"),
    pytest.param("2027-02-05 休息 春节", ["第 1 行无法识别"], id="unknown-kind"),
    pytest.param("2027-02-11~2027-02-05 放假 春节", ["第 1 行无法识别"], id="backwards-range"),
    pytest.param("2027-01-01~2027-02-28 放假 春节", ["第 1 行无法识别"], id="range-too-long"),
    pytest.param("2027-02-05", ["第 1 行无法识别"], id="date-only"),
    pytest.param("\n2026-12-31 上班 元旦调休", ["第 2 行的日期不在 2027 年内"], id="other-year"),
    pytest.param("2027-02-05 放假", ["第 1 行缺少节日名称"], id="holiday-without-name"),
    pytest.param("2027-10-01~2027-10-07 放假 国庆节\n2027-10-03 上班 调休",
                 ["第 2 行的日期 2027-10-03 与第 1 行重复"], id="date-listed-twice"),
    pytest.param("x\n2027-02-05 放假\n2028-01-01 放假 元旦",
                 ["第 1 行", "第 2 行缺少节日名称", "第 3 行的日期不在 2027 年内"], id="all-errors-at-once"),
])
def test_bad_notice_lines_name_the_line(app, world, lines, expected):
    with pytest.raises(ValidationFailed) as caught:
        services.enter_notice(actor=world.admin, year=2027, title=NOTICE_TITLE, published_on=None, lines=lines)
    message = caught.value.errors["lines"]
    for fragment in expected:
        assert fragment in message
    db.session.rollback()
    assert db.session.get(CalendarNotice, 2027) is None
    assert _audit("calendar.enter_notice") == []


def test_an_empty_notice_or_title_is_refused(app, world):
    with pytest.raises(ValidationFailed) as caught:
        services.enter_notice(actor=world.admin, year=2027, title=NOTICE_TITLE, published_on=None, lines="\n  \n")
    assert caught.value.field == "lines"
    with pytest.raises(ValidationFailed) as caught:
        services.enter_notice(actor=world.admin, year=2027, title=" ", published_on=None, lines=NOTICE_2027)
    assert caught.value.field == "title"


def test_only_administrators_change_the_calendar(app, world):
    for actor in (world.staff, world.auditor, world.contact):
        with pytest.raises(NotAllowed):
            services.set_day(actor=actor, day=D(2026, 3, 3), working=False, name="x")
        with pytest.raises(NotAllowed):
            services.enter_notice(actor=actor, year=2027, title=NOTICE_TITLE, published_on=None, lines=NOTICE_2027)
    services.set_day(actor=world.admin, day=D(2026, 3, 3), working=False, name="x")
    with pytest.raises(NotAllowed):
        services.clear_day(actor=world.staff, day=D(2026, 3, 3))
    db.session.commit()
    assert db.session.get(CalendarNotice, 2027) is None
    assert len(_audit("calendar.set_day")) == 1 and _audit("calendar.clear_day") == []


# --- 4. views ---------------------------------------------------------------------------------------

def test_2027_page_warns_that_the_calendar_is_provisional(client, login, world):
    login(world.staff)
    page = client.get("/calendar/?year=2027")
    assert page.status_code == 200
    text = text_of(page)
    assert "2027 年的放假通知尚未录入" in text and "暂定" in text
    page_2026 = text_of(client.get("/calendar/?year=2026"))
    assert "暂定" not in page_2026 and "尚未录入" not in page_2026


def test_deadline_calculator_counts_the_makeup_saturday(client, login, world):
    login(world.staff)
    page = client.get("/calendar/?year=2026&start=2026-09-28&amount=5&unit=working_days")
    text = text_of(page)
    assert "截止日期： 2026-10-10" in text
    assert "计入的调休上班日：2026-10-10" in text
    assert "暂定" not in text
    page = text_of(client.get("/calendar/?year=2026&start=2026-09-01&amount=30&unit=days"))
    assert "截止日期： 2026-10-08" in page and "期间届满日 2026-10-01 不是工作日" in page
    page = text_of(client.get("/calendar/?year=2026&start=2026-01-31&amount=1&unit=months"))
    assert "截止日期： 2026-02-28" in page
    page = text_of(client.get("/calendar/?year=2026&start=2026-09-28&amount=0&unit=days"))
    assert "截止日期： 2026-09-28" in page  # zero is a valid amount


def test_deadline_calculator_marks_2027_results_provisional(client, login, world):
    login(world.staff)
    text = text_of(client.get("/calendar/?year=2027&start=2027-02-04&amount=1&unit=working_days"))
    assert "截止日期： 2027-02-11 暂定" in text
    assert "2027 年放假安排尚未公布" in text


def test_calendar_pages_refuse_bad_input(client, login, world):
    login(world.staff)
    assert client.get("/calendar/?year=1999").status_code == 404
    text = text_of(client.get("/calendar/?year=2026&start=2026-09-28&amount=&unit=days"))
    assert "截止日期" not in text and "请输入期限" in text


def test_notice_form_is_for_administrators_only(client, login, world):
    login(world.staff)
    assert client.get("/calendar/notice").status_code == 403
    response = client.post("/calendar/notice", data={"year": 2027, "title": NOTICE_TITLE, "lines": NOTICE_2027})
    assert response.status_code == 403
    assert db.session.get(CalendarNotice, 2027) is None
    response = client.post("/calendar/days", data={"day": "2026-03-03", "working": "0", "name": "x"})
    assert response.status_code == 403
    assert db.session.get(CalendarDay, D(2026, 3, 3)) is None
    services.set_day(actor=world.admin, day=D(2026, 3, 3), working=False, name="x")
    assert client.post("/calendar/days/2026-03-03/delete").status_code == 403
    assert db.session.get(CalendarDay, D(2026, 3, 3)) is not None


def test_admin_enters_a_notice_through_the_form(client, login, world):
    login(world.admin)
    assert client.get("/calendar/notice").status_code == 200
    response = client.post("/calendar/notice", data={
        "year": 2027, "title": NOTICE_TITLE, "published_on": "2026-11-10", "lines": NOTICE_2027})
    assert response.status_code == 302 and response.location.endswith("/calendar/?year=2027")
    notice = db.session.get(CalendarNotice, 2027)
    assert notice.title == NOTICE_TITLE and notice.published_on == D(2026, 11, 10)
    assert db.session.get(CalendarDay, D(2027, 2, 20)).working
    page = client.get("/calendar/?year=2027")
    text = text_of(page)
    assert "依据：" + NOTICE_TITLE in text and "暂定" not in text
    assert "2027-02-20 上班 春节调休" in text  # the admin's table of the year's rows
    assert len(_audit("calendar.enter_notice")) == 1


def test_admin_sees_a_bad_notice_again_with_the_error(client, login, world):
    login(world.admin)
    lines = "2027-02-05~2027-02-11 放假 春节\n2027-02-20 上班 春节调休\n2027-13-01 放假 元旦"
    response = client.post("/calendar/notice", data={"year": 2027, "title": NOTICE_TITLE, "lines": lines})
    assert response.status_code == 200
    text = text_of(response)
    assert "第 3 行无法识别" in text and "2027-13-01 放假 元旦" in text
    assert db.session.get(CalendarNotice, 2027) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 0


def test_admin_sets_and_clears_a_day_through_the_form(client, login, world):
    login(world.admin)
    response = client.post("/calendar/days", data={"day": "2026-03-07", "working": "1", "name": "调休"})
    assert response.status_code == 302 and response.location.endswith("/calendar/?year=2026")
    assert db.session.get(CalendarDay, D(2026, 3, 7)).working
    assert "2026-03-07" in text_of(client.get("/calendar/?year=2026"))
    response = client.post("/calendar/days/2026-03-07/delete")
    assert response.status_code == 302
    assert db.session.get(CalendarDay, D(2026, 3, 7)) is None
    assert [e.action for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.startswith("calendar.")).order_by(AuditEntry.seq))] \
        == ["calendar.set_day", "calendar.clear_day"]


# --- 5. properties ----------------------------------------------------------------------------------

START_DATES = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31))


@settings(max_examples=300, deadline=None, database=None)
@given(start=START_DATES, n=st.integers(min_value=1, max_value=40))
def test_property_add_working_days(start, n):
    result = CAL.add_working_days(start, n)
    assert result.due > start
    assert CAL.is_working_day(result.due)
    assert CAL.working_days_between(start, result.due) == n
    assert CAL.working_days_between(result.due, start) == -n
    # the due date is the first day reaching n: the day before has only n - 1
    assert CAL.working_days_between(start, result.due - dt.timedelta(days=1)) == n - 1
    assert all(CAL.day(d).makeup for d in result.makeup_days)
    walked = {d.year for d in days(start + dt.timedelta(days=1), result.due)}
    assert result.provisional_years == tuple(sorted(y for y in walked if y >= 2027))


@settings(max_examples=300, deadline=None, database=None)
@given(start=START_DATES, n=st.integers(min_value=0, max_value=60), roll=st.booleans())
def test_property_add_days(start, n, roll):
    result = CAL.add_days(start, n, roll_weekends=roll)
    end = start + dt.timedelta(days=n)
    assert result.unrolled == end and result.due >= end
    info = CAL.day(result.due)
    assert not info.holiday
    if roll:
        assert info.working
    # rolled only past days off: nothing in between would have done
    for day in days(end, result.due - dt.timedelta(days=1)):
        assert not CAL.is_working_day(day)
    assert result.provisional_years == tuple(sorted({d.year for d in days(end, result.due)} - {2025, 2026}))


@settings(max_examples=200, deadline=None, database=None)
@given(start=START_DATES, n=st.integers(min_value=0, max_value=14))
def test_property_add_months(start, n):
    result = CAL.add_months(start, n)
    end = result.unrolled
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == n
    assert end.day == start.day or (end.day < start.day and (end + dt.timedelta(days=1)).day == 1)
    assert result.due >= end and CAL.is_working_day(result.due)
