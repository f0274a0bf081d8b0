"""Cached dashboard figures (reports/cache.py): shown with "数据更新于", served from `report_figures`
until they are older than the maximum age or refreshed on demand, recomputed by the job, and the same
as freshly computed figures."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.db import db, utcnow
from oversight.referrals.models import Referral
from oversight.workdays import today
from reports import cache
from reports.models import CachedFigures
from reports.statistics import Period, PeriodKind, Scope, compute
from tests.conftest import text_of
from tests.report_data import at, seed_referrals

MONTH = lambda: Period.containing(PeriodKind.MONTH, today())  # noqa: E731


def _sent_shown(response) -> str:
    text = text_of(response)
    return text.split("移送/报送件数", 1)[1].split()[0]


def _add_one(world) -> None:
    first = db.session.scalar(sa.select(Referral).order_by(Referral.id))
    db.session.add(Referral(direction=first.direction, type_id=first.type_id, title="新增", body="b",
                            sender_org_id=first.sender_org_id, receiver_org_id=first.receiver_org_id, state="sent",
                            sent_at=at(today(), 1)))
    db.session.commit()


def test_the_dashboard_serves_cached_figures_until_refreshed(app, client, login, world):
    seed_referrals(world, start=MONTH().start, days=max(1, (today() - MONTH().start).days), count=40)
    login(world.staff)
    first = client.get("/reports/leadership")
    assert first.status_code == 200 and "数据更新于" in text_of(first)
    sent = int(_sent_shown(first))
    keys = {r.section for r in db.session.scalars(sa.select(CachedFigures))}
    assert {"referrals", "rectification", "meetings"} <= keys
    _add_one(world)
    assert int(_sent_shown(client.get("/reports/leadership"))) == sent  # from the table, not recomputed
    assert 'action="/reports/leadership?' in client.get("/reports/leadership").get_data(as_text=True)
    refreshed = client.post(f"/reports/leadership?kind=month&period={MONTH().key}", follow_redirects=True)
    assert "统计数据已更新" in text_of(refreshed)
    assert int(_sent_shown(refreshed)) == sent + 1


def test_figures_older_than_the_maximum_age_are_recomputed(app, client, login, world):
    seed_referrals(world, start=MONTH().start, days=max(1, (today() - MONTH().start).days), count=20)
    login(world.staff)
    sent = int(_sent_shown(client.get("/reports/leadership")))
    _add_one(world)
    db.session.execute(sa.update(CachedFigures).values(computed_at=utcnow() - dt.timedelta(
        seconds=app.config["REPORTS_FIGURES_MAX_AGE"] + 5)))
    db.session.commit()
    assert int(_sent_shown(client.get("/reports/leadership"))) == sent + 1


def test_the_job_recomputes_what_was_requested_and_drops_what_nobody_wants(app, world):
    seed_referrals(world, start=MONTH().start, days=max(1, (today() - MONTH().start).days), count=30)
    scope = Scope.for_organisation(world.npc)
    with app.test_request_context():
        cached = cache.figures(MONTH(), scope)
        fresh = compute(MONTH(), scope)
    # What the cache gives back is what the statistics service computes.
    for section in fresh.sections:
        got = next(s for s in cached.sections if s.key == section.key)
        for want_table, got_table in zip(section.tables, got.tables):
            assert [(r.label, [str(v) for v in r.values], r.href) for r in want_table.rows] == \
                [(r.label, [str(v) for v in r.values], r.href) for r in got_table.rows], want_table.key
    _add_one(world)
    old = utcnow() - dt.timedelta(minutes=30)
    db.session.execute(sa.update(CachedFigures).values(computed_at=old))
    db.session.add(CachedFigures(scope_key="everything:o:u:d", period_kind="month", period_key="2020-01",
                                 section="referrals", locale="zh_CN", payload="{}", computed_at=old,
                                 requested_at=utcnow() - dt.timedelta(days=30)))
    db.session.commit()
    with app.app_context():
        result = cache.refresh_requested()
    assert result == {"refreshed": 1, "deleted": 1}
    rows = list(db.session.scalars(sa.select(CachedFigures)))
    assert rows and all(r.computed_at > old for r in rows)
    with app.test_request_context():
        overview = next(s for s in cache.figures(MONTH(), scope).sections if s.key == "referrals").tables[0]
        assert overview.rows[0].values[0] == compute(MONTH(), scope).table("overview").rows[0].values[0]
