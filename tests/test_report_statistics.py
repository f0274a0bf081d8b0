"""The statistics service: periods in Asia/Shanghai, figures checked against an independent
computation from the raw rows, 样本不足 below the minimum sample, scopes, and the section registry."""
from __future__ import annotations

import datetime as dt

import pytest

from oversight.errors import ValidationFailed
from reports import statistics
from reports.statistics import Period, PeriodKind, Scope
from reports.statistics.figures import Rate, fmt
from reports.statistics.referrals import figures
from tests.report_data import at, expected, seed_referrals

NOV = Period.parse("month", "2026-11")


@pytest.mark.parametrize(("kind", "key", "start", "end"), [
    ("week", "2026-W48", dt.date(2026, 11, 23), dt.date(2026, 11, 30)),
    ("week", "2026-W53", dt.date(2026, 12, 28), dt.date(2027, 1, 4)),
    ("month", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
    ("month", "2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
    ("quarter", "2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
    ("year", "2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
])
def test_periods_parse_and_round_trip(kind, key, start, end):
    period = Period.parse(kind, key)
    assert (period.start, period.end, period.key) == (start, end, key)
    assert Period.containing(PeriodKind(kind), end - dt.timedelta(days=1)) == period


@pytest.mark.parametrize(("kind", "key"), [("month", "2026-13"), ("week", "2026-W60"), ("quarter", "2026-Q5"),
                                           ("year", "二〇二六"), ("decade", "2020")])
def test_a_malformed_period_is_refused_in_chinese(kind, key):
    with pytest.raises(ValidationFailed) as err:
        Period.parse(kind, key)
    assert "周期" in err.value.message


def test_period_bounds_are_midnight_in_shanghai(app):
    start, end = NOV.bounds()
    assert start == dt.datetime(2026, 10, 31, 16, tzinfo=dt.timezone.utc)
    assert end == dt.datetime(2026, 11, 30, 16, tzinfo=dt.timezone.utc)


def test_rates_below_the_minimum_are_sample_insufficient(app):
    assert str(Rate(3, 4, 5)) == "样本不足" and Rate(3, 4, 5).value is None
    assert str(Rate(4, 5, 5)) == "80.0%"
    assert str(Rate(0, 0, 0)) == "样本不足"
    assert fmt(None) == "样本不足"


def test_figures_match_an_independent_computation_from_raw_rows(app, world):
    seed_referrals(world, start=NOV.start, days=30, count=160)
    f = figures(NOV, Scope.everything())
    want = expected(NOV.start, NOV.end)
    assert f.sent == want["sent"] > 50
    assert {k.value: v for k, v in f.by_direction.items()} == dict(want["by_direction"])
    assert {k.value: v for k, v in f.by_state.items()} == dict(want["by_state"])
    for key in ("ack", "procedural", "result"):
        assert str(f.on_time[key]) == want[key], key
        assert (f.on_time[key].numerator, f.on_time[key].denominator) == want[key + "_n"]
    assert str(f.satisfaction) == want["satisfaction"]
    assert str(f.satisfied_only) == want["satisfied_only"]
    assert str(f.rehandling) == want["rehandling"]
    assert f.overdue == want["overdue"]
    for key in ("ack", "accept", "handle", "total"):
        d = f.steps[key]
        assert (fmt(d.mean), fmt(d.median), d.count) == want["days_" + key], key


def test_a_small_sample_shows_sample_insufficient_in_the_tables(app, world):
    seed_referrals(world, start=NOV.start, days=30, count=4)
    stats = statistics.compute(NOV, Scope.everything())
    overview = stats.table("overview")
    rates = {row.figure: row.values[0] for row in overview.rows}
    assert str(rates["on_time_ack"]) == "样本不足"
    assert str(rates["satisfaction"]) == "样本不足"


def test_an_item_sent_just_after_local_midnight_counts_in_the_new_month(app, world):
    from oversight.db import db
    from oversight.referrals.models import Referral, ReferralType
    import sqlalchemy as sa

    rtype = db.session.scalar(sa.select(ReferralType).where(ReferralType.direction == "npc_to_procuratorate"))
    # 2026-11-01 00:30 in Shanghai is still 31 October in UTC.
    db.session.add(Referral(direction="npc_to_procuratorate", type_id=rtype.id, title="午夜", body="b",
                            sender_org_id=world.npc.id, receiver_org_id=world.proc.id, state="sent",
                            sent_at=dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.timezone.utc)))
    db.session.commit()
    assert figures(NOV, Scope.everything()).sent == 1
    assert figures(Period.parse("month", "2026-10"), Scope.everything()).sent == 0
    assert at(dt.date(2026, 11, 1), 0).day == 31


def test_an_organisation_scope_counts_only_its_subtree(app, world):
    seed_referrals(world, start=NOV.start, days=30, count=80)
    whole = figures(NOV, Scope.everything()).sent
    district = figures(NOV, Scope.for_organisation(world.d_proc)).sent
    city_p = figures(NOV, Scope.for_organisation(world.proc)).sent
    assert 0 < district < whole and city_p == whole  # the city procuratorate's subtree holds the district's


def test_a_registered_section_appears_in_every_computation(app):
    from reports.statistics import Row, Section, Table

    def exchanges(period, scope):
        return Section("exchanges", "交流活动", [Table("exchanges", "活动", ["次数"], [Row("交流活动", [2])])])

    statistics.register_section("exchanges", exchanges)
    try:
        stats = statistics.compute(NOV, Scope.everything())
        assert [s.key for s in stats.sections] == ["referrals", "rectification", "meetings", "exchanges"]
        assert stats.table("exchanges").rows[0].values == [2]
    finally:
        statistics._SECTIONS[:] = [(k, f) for k, f in statistics._SECTIONS if k != "exchanges"]


def test_rectification_and_meeting_figures_match_the_raw_rows(app, world):
    from oversight.db import utcnow
    from reports.statistics import meetings, rectification
    from tests.report_data import expected_meetings, expected_rectification, seed_meetings, seed_rectification

    seed_rectification(world, start=NOV.start, days=30, count=80, seed=8)
    seed_meetings(world, start=NOV.start, days=30, count=30, seed=8)
    f = rectification.figures(NOV, Scope.everything())
    rates = f.rates(f.total)
    want = expected_rectification(NOV.start, NOV.end)
    assert f.total.due == want["due"] > 5 and f.total.overdue == want["overdue"]
    for key, name in (("completion", "completion"), ("signoff", "signoff"), ("overdue", "overdue_rate")):
        assert (str(rates[key]), (rates[key].numerator, rates[key].denominator)) == \
            (want[name], want[name + "_n"]), key
    m = meetings.figures(NOV, Scope.everything())
    got = expected_meetings(NOV.start, NOV.end, utcnow())
    assert (m.held, m.planned) == got["held_n"] and m.items.due == got["due"] and m.items.overdue == got["overdue"]
    assert (m.items.completed, m.items.due) == got["completion_n"]
    assert (m.items.done_on_time, m.items.done) == got["on_time_n"]
    # A deputy's own scope has neither; an organisation outside the work counts none of it.
    deputy_scope = Scope(label="d", kind="deputy", deputy_id=1)
    assert rectification.figures(NOV, deputy_scope) is None and meetings.figures(NOV, deputy_scope) is None
    station = rectification.figures(NOV, Scope.for_organisation(world.station))
    assert station.total.due == 0
