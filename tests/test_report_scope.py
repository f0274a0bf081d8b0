"""Security review: a report covers one institution's subtree; the archive, downloads and the weekly
digest stay inside what the reader may see; the system administrator holds no report data; chart
labels are plain text; a deputy's overall figures are those of their own institution."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.db import commit, db, utcnow
from oversight.orgs.models import OrgKind, OrgLevel
from oversight.referrals.models import Classification, Referral, ReferralType
from reports import definitions, permissions, queries, runs, services
from reports.charts import bar_chart
from reports.models import ReportDelivery, ReportRun, RunStatus
from reports.statistics import Period
from tests.conftest import text_of

WEEK = Period.parse("week", "2026-W47")


def _overdue(world, sender, receiver, title, *, type_, classification=Classification.INTERNAL, serial=None):
    r = Referral(direction="npc_to_procuratorate", type_id=type_.id, title=title, body="正文", sender_org_id=sender.id,
                 receiver_org_id=receiver.id, state="sent", classification=classification, serial=serial,
                 sent_at=dt.datetime(2026, 10, 1, 2, tzinfo=dt.timezone.utc), current_due=dt.date(2026, 10, 10))
    db.session.add(r)
    return r


@pytest.fixture
def other(make_org):
    """An institution outside the world's trees."""
    npc = make_org("X-NPC", "外市人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY)
    proc = make_org("X-P", "外市人民检察院", kind=OrgKind.PROCURATORATE, level=OrgLevel.CITY)
    return npc, proc


def test_the_weekly_digest_stays_in_scope_and_hides_sensitive_and_case_related_titles(app, world, other):
    types = list(db.session.scalars(sa.select(ReferralType).where(ReferralType.direction == "npc_to_procuratorate")
                                    .order_by(ReferralType.id)))
    plain, case = types[0], types[1]
    plain.case_related, case.case_related = False, True
    _overdue(world, world.npc, world.proc, "普通逾期事项", type_=plain, serial="S-1")
    _overdue(world, world.d_npc, world.d_proc, "敏感逾期事项", type_=plain, classification=Classification.SENSITIVE,
             serial="S-2")
    _overdue(world, world.npc, world.proc, "涉案逾期事项", type_=case, serial="S-3")
    _overdue(world, other[0], other[1], "外市逾期事项", type_=plain, serial="S-4")
    commit()
    with app.test_request_context():
        items = definitions.weekly_data(WEEK, world.npc)["overdue_items"]
        district = definitions.weekly_data(WEEK, world.d_npc)["overdue_items"]
    assert sorted(i.serial for i in items) == ["S-1", "S-2", "S-3"]
    titles = {i.serial: i.title for i in items}
    assert titles == {"S-1": "普通逾期事项", "S-2": "", "S-3": ""}
    assert {i.serial: i.receiver for i in items}["S-2"] == "区人民检察院"
    assert [i.serial for i in district] == ["S-2"]


def _produced(organisation, report="monthly", classification=Classification.INTERNAL) -> ReportRun:
    run = ReportRun(report=report, period_key="2026-10", organisation_id=organisation.id, status=RunStatus.SUCCEEDED,
                    classification=classification, pdf=b"%PDF", xlsx=b"PK", finished_at=utcnow())
    db.session.add(run)
    db.session.flush()
    return run


def test_archive_and_download_need_sight_of_the_runs_organisation(app, world, make_user, other):
    district = make_user("dstaff", world.d_npc, roles={Role.NPC_STAFF})
    outsider = make_user("xstaff", other[0], roles={Role.NPC_STAFF})
    city_run, district_run = _produced(world.npc), _produced(world.d_npc)
    commit()
    assert permissions.can_download(world.staff, city_run, set())
    assert permissions.can_download(world.staff, district_run, set())  # the level above sees below
    assert not permissions.can_download(district, city_run, set())
    assert permissions.can_download(district, district_run, set())
    assert not permissions.can_download(outsider, district_run, set())
    assert [r.id for r in queries.archive_for(district)] == [district_run.id]
    assert queries.archive_for(outsider) == []
    # a recipient outside the scope is refused despite the delivery
    assert not permissions.can_download(outsider, city_run, {outsider.id})


def test_a_recipient_who_lost_clearance_loses_the_report(app, world, make_user):
    deputy = make_user("deputy", world.station, roles={Role.DEPUTY})
    run = _produced(world.npc)
    db.session.add(ReportDelivery(run_id=run.id, user_id=deputy.id))
    commit()
    assert permissions.can_download(deputy, run, {deputy.id})
    deputy.role_rows = []
    commit()
    assert not permissions.can_download(deputy, run, {deputy.id})


def test_the_system_administrator_holds_no_report_data(client, login, world):
    run = _produced(world.npc)
    commit()
    assert not permissions.can_receive(world.admin, Classification.INTERNAL)
    assert not permissions.can_view_archive(world.admin)
    assert not permissions.can_download(world.admin, run, set())
    login(world.admin)
    assert client.get("/reports/archive").status_code == 403
    assert client.get(f"/reports/archive/{run.id}/pdf").status_code == 404
    page = client.get("/reports/runs")
    assert page.status_code == 200 and f"/reports/archive/{run.id}" not in page.get_data(as_text=True)


def test_run_now_and_schedules_choose_the_organisation(client, login, world, monkeypatch):
    monkeypatch.setattr(runs.rendering, "pdf", lambda d, p, data: b"%PDF-1.7 test")
    monkeypatch.setattr(runs.rendering, "xlsx", lambda d, p, data: b"PK test")
    login(world.admin)
    page = client.get("/reports/runs")
    assert f'<option selected value="{world.npc.id}">' in page.get_data(as_text=True)
    done = client.post("/reports/runs", data={"report": "monthly", "period": "2026-10",
                                              "organisation": world.d_npc.id})
    assert done.status_code == 302
    run = db.session.scalar(sa.select(ReportRun))
    assert run.organisation_id == world.d_npc.id
    saved = client.post("/reports/schedules/monthly", data={"cron": "0 7 1 * *", "classification": "internal",
                                                            "organisation": world.d_proc.id, "active": "y"})
    assert saved.status_code == 302
    assert queries.schedule_of("monthly").organisation_id == world.d_proc.id
    with pytest.raises(Exception) as err:
        services.request_run("monthly", "2026-09", actor=world.admin, organisation=world.body)
    assert "人大常委会或检察院" in str(err.value.message)
    # the same period for another institution is another run
    other_run = services.request_run("monthly", "2026-10", actor=world.admin, organisation=world.npc)
    assert other_run.id != run.id


def test_a_dollar_in_a_name_does_not_break_a_chart(app):
    svg = bar_chart("按单位 $x$", [r"$\x{$", "a$b$c", "正常"], [1.0, 2.0, 3.0])
    assert svg.startswith("<svg") and "$\\x{$" in svg and "a$b$c" in svg


def test_the_deputy_dashboard_overall_figures_are_the_deputys_institution(client, login, world, make_user,
                                                                          monkeypatch):
    from reports import cache

    seen = []
    real = cache.compute
    monkeypatch.setattr(cache, "compute", lambda period, scope, **kw: seen.append(scope) or real(period, scope, **kw))
    deputy = make_user("deputy", world.station, roles={Role.DEPUTY}, display_name="王代表")
    login(deputy)
    page = client.get("/reports/deputy")
    assert page.status_code == 200 and "全市总体情况" in text_of(page)
    assert list(dict.fromkeys(s.organisation_id for s in seen)) == [None, world.npc.id]
