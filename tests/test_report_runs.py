"""Schedules and runs: cron and recipient checks in Chinese, one run per (report, period), retry of a
crashed run producing exactly one report, the runs page, run-now, and the archive."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.db import commit, db
from oversight.errors import NotAllowed, ValidationFailed
from oversight.notifications.models import Notification
from oversight.referrals.models import Classification
from reports import runs, services
from reports.models import ReportDelivery, ReportRun, RunStatus
from reports.statistics import Period
from tests.conftest import text_of

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def fast(monkeypatch):
    """Protocol tests need files, not real rendering (tests/test_report_rendering.py covers that)."""
    monkeypatch.setattr(runs.rendering, "pdf", lambda d, p, data: b"%PDF-1.7 test")
    monkeypatch.setattr(runs.rendering, "xlsx", lambda d, p, data: b"PK test")


@pytest.fixture
def people(world, make_user):
    reviewer = make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}, display_name="周审核")
    deputy = make_user("deputy", world.station, roles={Role.DEPUTY}, display_name="王代表")
    return world, reviewer, deputy, None


@pytest.mark.parametrize("cron", ["0 7 1 * ", "61 7 * * *", "0 7 32 * *", "每月一日", "0 7 * * xyz"])
def test_an_invalid_cron_expression_is_refused_in_chinese(app, world, cron):
    with pytest.raises(ValidationFailed) as err:
        services.save_schedule("monthly", actor=world.admin, cron=cron, classification=Classification.INTERNAL,
                               recipients=[])
    assert "定时表达式" in err.value.message and "无效" in err.value.message


def test_a_recipient_without_clearance_is_refused_in_chinese(app, people):
    world, reviewer, deputy, _e = people
    with pytest.raises(ValidationFailed) as err:
        services.save_schedule("monthly", actor=world.admin, cron="0 7 1 * *",
                               classification=Classification.SENSITIVE, recipients=[reviewer, deputy])
    assert "王代表" in err.value.message and "无权接收" in err.value.message and "敏感" in err.value.message
    assert "周审核" not in err.value.message
    schedule = services.save_schedule("monthly", actor=world.admin, cron="0  7 1 * *",
                                      classification=Classification.INTERNAL, recipients=[reviewer, deputy])
    commit()
    assert schedule.cron == "0 7 1 * *" and len(schedule.recipients) == 2


def test_only_an_administrator_sets_schedules_and_runs_reports(app, world):
    with pytest.raises(NotAllowed):
        services.save_schedule("monthly", actor=world.staff, cron="0 7 1 * *",
                               classification=Classification.INTERNAL, recipients=[])
    with pytest.raises(NotAllowed):
        services.request_run("monthly", "2026-10", actor=world.staff)


def test_a_future_period_is_refused_and_the_current_one_accepted(app, world):
    with pytest.raises(ValidationFailed) as err:
        services.request_run("monthly", "2026-12", actor=world.admin, on=dt.date(2026, 11, 30))
    assert "尚未开始" in err.value.message
    run = services.request_run("monthly", "2026-11", actor=world.admin, on=dt.date(2026, 11, 30))
    assert run.status is RunStatus.QUEUED


def test_one_run_per_report_and_period_and_a_done_period_is_not_produced_again(app, world, fast):
    run = services.request_run("monthly", "2026-10", actor=world.admin)
    commit()
    assert services.queue_run("monthly", Period.parse("month", "2026-10"), world.npc,
                              trigger="schedule").id == run.id
    assert runs.execute(run.id) is True
    assert runs.execute(run.id) is False
    assert runs.dispatch()["produced"] == 0
    with pytest.raises(ValidationFailed) as err:
        services.request_run("monthly", "2026-10", actor=world.admin)
    assert "已经生成" in err.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportRun)) == 1


def test_a_crashed_run_is_retried_and_produces_exactly_one_report(app, people, fast):
    world, reviewer, deputy, _e = people
    services.save_schedule("monthly", actor=world.admin, cron="0 7 1 * *", classification=Classification.INTERNAL,
                           recipients=[reviewer, deputy])
    run = services.request_run("monthly", "2026-10", actor=world.admin)
    commit()
    crashed = runs.claim(run.id)  # the worker took it … and died before finishing
    assert crashed and runs.dispatch()["produced"] == 0  # its lease still holds: nobody else takes it
    db.session.execute(sa.update(ReportRun.__table__).values(
        lease_until=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)))
    commit()
    assert runs.dispatch()["produced"] == 1
    assert runs.finish(run.id, crashed, b"%PDF late", b"PK") is False  # the presumed-dead worker wakes up
    db.session.expire_all()
    run = db.session.get(ReportRun, run.id)
    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportRun)) == 1
    assert sorted(d.user_id for d in db.session.scalars(sa.select(ReportDelivery))) == sorted([reviewer.id, deputy.id])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.kind == "report")) == 2


def test_a_failed_run_is_retried_up_to_the_limit(app, world, monkeypatch):
    calls = []

    def broken(d, p, data):
        calls.append(1)
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(runs.rendering, "pdf", broken)
    run = services.request_run("weekly_digest", "2026-W47", actor=world.admin)
    commit()
    for _ in range(5):
        runs.dispatch()
    db.session.expire_all()
    run = db.session.get(ReportRun, run.id)
    assert run.status is RunStatus.FAILED and "字体缺失" in run.error and len(calls) == run.attempts == 3


def test_cron_fires_queue_the_period_they_close_once(app, world, fast):
    services.save_schedule("monthly", actor=world.admin, cron="0 7 1 * *", classification=Classification.INTERNAL,
                           recipients=[])
    commit()
    db.session.execute(sa.text("UPDATE report_schedules SET checked_until = :t"),
                       {"t": dt.datetime(2026, 10, 31, 12, 0)})
    commit()
    now = dt.datetime(2026, 11, 1, 8, 0, tzinfo=SH)
    first = services.queue_due_schedules(now)
    second = services.queue_due_schedules(now + dt.timedelta(minutes=1))
    commit()
    assert [r.period_key for r in first] == ["2026-10"] and second == []


def test_runs_page_run_now_and_archive(client, login, people, fast):
    world, reviewer, deputy, _e = people
    login(world.admin)
    page = client.get("/reports/runs")
    assert page.status_code == 200 and "立即生成" in text_of(page)
    future = client.post("/reports/runs", data={"report": "annual", "period": str(dt.date.today().year + 1)})
    assert future.status_code == 422 and "尚未开始" in text_of(future)
    bad = client.post("/reports/schedules/monthly", data={"cron": "0 25 * * *", "classification": "internal"})
    assert bad.status_code == 422 and "定时表达式" in text_of(bad)
    saved = client.post("/reports/schedules/monthly", data={"cron": "0 7 1 * *", "classification": "internal",
                                                            "organisation": world.npc.id, "recipients": [reviewer.id],
                                                            "active": "y"})
    assert saved.status_code == 302
    ok = client.post("/reports/runs", data={"report": "monthly", "period": "2026-10", "organisation": world.npc.id},
                     follow_redirects=True)
    assert "已加入生成队列" in text_of(ok) and "排队中" in text_of(ok)
    runs.dispatch()
    run = db.session.scalar(sa.select(ReportRun))
    assert "已完成" in text_of(client.get("/reports/runs"))
    assert run.organisation_id == world.npc.id
    # the system administrator sees the run's status, not the report (three-admin separation)
    assert client.get(f"/reports/archive/{run.id}").status_code == 404
    assert client.get(f"/reports/archive/{run.id}/pdf").status_code == 404
    client.post("/logout")
    login(reviewer)
    detail = client.get(f"/reports/archive/{run.id}")
    assert "周审核" in text_of(detail) and "市人大常委会" in text_of(detail)
    assert client.get(f"/reports/archive/{run.id}/pdf").data.startswith(b"%PDF")
    assert client.get(f"/reports/archive/{run.id}/xlsx").status_code == 200
    assert client.get("/reports/runs").status_code == 403
