"""Alerts scoped by organisation (DESIGN §2): a district committee's staff neither see nor act on the
city's alerts; the city's staff see the district's (a supervising level sees its subtree) but, as with
clues, only the alert's own committee decides on it. Lists, counts, precision, the detail page (404) and
the services all hold the line; a run that widens an alert's evidence keeps the one alert and widens its scope."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.errors import NotAllowed
from oversight.orgs.models import OrgKind
from oversight.supervision import permissions, queries, runs, services
from oversight.supervision.models import Alert, SupervisionModel
from oversight.supervision.workflow import AlertAction, AlertState
from tests import supervision_data as data
from tests.conftest import text_of
from tests.supervision_data import AS_OF, PERIOD


def _model(key: str) -> SupervisionModel:
    services.ensure_builtins()
    commit()
    return db.session.scalar(sa.select(SupervisionModel).where(SupervisionModel.key == key))


def _cluster(sender, unit, title: str, n: int = 5):
    for d in range(n):
        data.referral(sender=sender, receiver=unit, due=AS_OF - dt.timedelta(days=3 + d), title=f"{title}{d}")


@pytest.fixture
def two(world, make_org, make_user):
    """One overdue-cluster alert of the city and one of the district, with staff and a reviewer below."""
    from types import SimpleNamespace

    d_body = make_org("D-NPC-JSW", "区人大监察司法委", kind=OrgKind.NPC_BODY, parent=world.d_npc)
    d_staff = make_user("d_staff", d_body, roles={Role.NPC_STAFF})
    d_reviewer = make_user("d_reviewer", d_body, roles={Role.NPC_REVIEWER})
    station_staff = make_user("s_staff", world.station, roles={Role.NPC_STAFF})
    _cluster(world.npc, world.proc, "市逾期")
    _cluster(world.d_npc, world.d_proc, "区逾期")
    commit()
    runs.run_model(_model("overdue_cluster"), PERIOD)
    by_scope = {a.scope_org_id: a for a in db.session.scalars(sa.select(Alert))}
    assert set(by_scope) == {world.npc.id, world.d_npc.id}
    return SimpleNamespace(city=by_scope[world.npc.id], district=by_scope[world.d_npc.id], d_staff=d_staff,
                           d_reviewer=d_reviewer, station_staff=station_staff)


def ids(page) -> set[int]:
    return {a.id for a in page.rows}


def test_lists_and_counts_follow_the_users_subtree(world, two):
    all_ = {two.city.id, two.district.id}
    assert ids(queries.alerts(queries.Filters(), user=world.staff)) == all_
    assert ids(queries.alerts(queries.Filters(), user=world.admin)) == all_
    for district_user in (two.d_staff, two.d_reviewer):
        assert ids(queries.alerts(queries.Filters(), user=district_user)) == {two.district.id}
        assert queries.counts_by_state(district_user) == {"new": 1}
    assert queries.counts_by_state(world.staff) == {"new": 2}
    services.dismiss(two.city, actor=world.staff, reason="误报")
    commit()
    model_id = two.city.model_id
    assert queries.precision_by_model(two.d_staff)[model_id].dismissed == 0
    assert queries.precision_by_model(world.staff)[model_id].dismissed == 1
    assert queries.precision_by_model(world.admin)[model_id].dismissed == 1


def test_only_the_alerts_own_committee_acts(world, two):
    # District staff on the city's alert: refused in the service, nothing changes, nothing audited.
    with pytest.raises(NotAllowed, match="所属人大常委会"):
        services.confirm(two.city, actor=two.d_staff)
    # City staff see the district's alert but do not decide on it (the district's own staff do).
    assert permissions.can_view(world.staff, two.district)
    assert permissions.allowed_actions(world.staff, two.district) == []
    for action in (lambda: services.confirm(two.district, actor=world.staff),
                   lambda: services.dismiss(two.district, actor=world.staff, reason="不归我们")):
        with pytest.raises(NotAllowed, match="所属人大常委会"):
            action()
    db.session.rollback()
    assert db.session.get(Alert, two.district.id).state is AlertState.NEW
    assert db.session.get(Alert, two.city.id).state is AlertState.NEW
    assert not db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("alert.%"))).all()
    # A reviewer of the district sees but never acts; staff of the district and of a city station act.
    assert not permissions.can_act(two.d_reviewer, two.district, AlertAction.CONFIRM)
    assert permissions.can_act(two.station_staff, two.city, AlertAction.CONFIRM)
    assert not permissions.can_view(two.d_staff, two.city)
    services.confirm(two.district, actor=two.d_staff)
    commit()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "alert.confirm"))
    assert str(entry.object_id) == str(two.district.id)
    assert db.session.get(Alert, two.district.id).decided_by_id == two.d_staff.id
    with pytest.raises(NotAllowed, match="所属人大常委会"):    # confirmed: the city still may not convert it
        services.convert(db.session.get(Alert, two.district.id), actor=world.staff, title="x", lead_body=world.body)


def test_pages_hide_out_of_scope_alerts_with_404(client, login, world, two):
    login(two.d_staff)
    listing = text_of(client.get("/alerts/"))
    assert "区人民检察院" in listing and "市人民检察院 有" not in listing
    assert client.get(f"/alerts/{two.city.id}").status_code == 404
    for verb in ("confirm", "dismiss", "convert"):
        assert client.post(f"/alerts/{two.city.id}/{verb}", data={"version": 1, "reason": "x"}).status_code == 404
    assert "确认预警" in text_of(client.get(f"/alerts/{two.district.id}"))
    client.post("/logout")
    login(world.staff)
    page = client.get(f"/alerts/{two.district.id}")
    assert page.status_code == 200 and "确认预警" not in text_of(page) and "区人大常委会" in text_of(page)
    assert client.post(f"/alerts/{two.district.id}/confirm", data={"version": 1}).status_code == 403
    assert db.session.get(Alert, two.district.id).state is AlertState.NEW


def test_an_unscoped_legacy_alert_is_for_administrators_only(client, login, world, two):
    db.session.get(Alert, two.city.id).scope_org_id = None
    commit()
    assert two.city.id not in ids(queries.alerts(queries.Filters(), user=world.staff))
    assert two.city.id in ids(queries.alerts(queries.Filters(), user=world.admin))
    login(world.staff)
    assert client.get(f"/alerts/{two.city.id}").status_code == 404
    client.post("/logout")
    login(world.admin)
    page = client.get(f"/alerts/{two.city.id}")
    assert page.status_code == 200 and "未划定" in text_of(page)


def test_a_later_run_widening_the_evidence_keeps_one_alert_and_widens_its_scope(world, two):
    # The city now also sends the district procuratorate overdue work of the same type: same unit, same key.
    _cluster(world.npc, world.d_proc, "市交区逾期", n=2)
    commit()
    run = runs.run_model(two.district.model, "2026-12-01")
    assert run.new_alerts == 0
    alert = db.session.get(Alert, two.district.id)
    assert (alert.seen_count, alert.scope_org_id) == (2, world.npc.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alert)) == 2
    assert two.district.id not in ids(queries.alerts(queries.Filters(), user=two.d_staff))
