"""Models, runs, alerts and sharing against a real database: bounds and schedules refused in Chinese,
one run per (model, period), a failing model marked failed while the others run, alerts de-duplicated
across runs, the decisions with the right and the wrong people, conversion into a topic carrying the
evidence, precision, export/import with every refusal, and the scheduled dispatch."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from issues.models import Topic
from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.supervision import jobs, queries, registry, runs, services, sharing
from oversight.supervision.models import Alert, ModelRun, RunStatus, SupervisionModel
from oversight.supervision.workflow import AlertState
from tests import supervision_data as data
from tests.supervision_data import AS_OF, PERIOD


def model(key: str) -> SupervisionModel:
    services.ensure_builtins()
    commit()
    return db.session.scalar(sa.select(SupervisionModel).where(SupervisionModel.key == key))


def overdue(world, n: int = 5, receiver=None):
    rs = [data.referral(sender=world.npc, receiver=receiver or world.proc, due=AS_OF - dt.timedelta(days=3 + d))
          for d in range(n)]
    commit()
    return rs


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))


@pytest.fixture
def failing():
    """A registered model function that raises, as a broken deployment-specific model would."""
    @registry.register("test_failing", name="失败模型", purpose="测试", legal_basis="测试",
                       params=[registry.Param("n", "次数", 1, 1, 5)])
    def boom(ctx, params, period):
        raise RuntimeError("数据源不可用")
    yield registry.FUNCTIONS["test_failing"]
    registry.FUNCTIONS.pop("test_failing", None)


# --- models ---------------------------------------------------------------------------------------

def test_builtins_are_created_disabled_once(world):
    created = services.ensure_builtins(actor=world.admin)
    commit()
    assert {m.key for m in created} == {"repeated_dissatisfaction", "overdue_cluster", "stalled_rectification",
                                        "unaddressed_governance_notice", "clue_hotspot", "clue_near_duplicates"}
    assert not any(m.enabled for m in created)
    assert services.ensure_builtins() == []


def test_tuning_refuses_out_of_bounds_unknown_parameters_and_bad_cron_in_chinese(world):
    m = model("overdue_cluster")
    with pytest.raises(ValidationFailed) as exc:
        services.update_model(m, actor=world.admin, name=m.name, purpose="", legal_basis="",
                              params={"min_count": 1, "grace_days": 1000}, cron="0 3 * * *")
    assert "须在 2 至 500 之间" in exc.value.errors["min_count"]
    assert "须在 0 至 90 之间" in exc.value.errors["grace_days"]
    with pytest.raises(ValidationFailed, match="模型没有参数"):
        services.update_model(m, actor=world.admin, name=m.name, purpose="", legal_basis="",
                              params={"min_count": 3, "bogus": 1}, cron="0 3 * * *")
    with pytest.raises(ValidationFailed, match="须为数字"):
        services.update_model(m, actor=world.admin, name=m.name, purpose="", legal_basis="",
                              params={"min_count": "三"}, cron="0 3 * * *")
    with pytest.raises(ValidationFailed) as exc:
        services.update_model(m, actor=world.admin, name=m.name, purpose="", legal_basis="",
                              params={"min_count": 3}, cron="61 3 * * *")
    assert "定时表达式" in exc.value.errors["cron"]
    db.session.rollback()
    assert db.session.get(SupervisionModel, m.id).params == {"min_count": 5, "grace_days": 0}


def test_tuning_saves_audits_and_only_admins_may(world):
    m = model("overdue_cluster")
    with pytest.raises(NotAllowed):
        services.update_model(m, actor=world.staff, name=m.name, purpose="", legal_basis="", params={}, cron="0 3 * * *")
    services.update_model(m, actor=world.admin, name="逾期集中", purpose="用途", legal_basis="依据",
                          params={"min_count": "3"}, cron=" 0  4 * * * ", expected_version=m.version)
    services.set_enabled(m, actor=world.admin, enabled=True)
    commit()
    assert (m.params, m.cron, m.enabled) == ({"min_count": 3, "grace_days": 0}, "0 4 * * *", True)
    assert {"supervision_model.update", "supervision_model.enable"} <= set(audit_actions())
    with pytest.raises(Conflict):
        services.set_enabled(m, actor=world.admin, enabled=False, expected_version=m.version - 1)


# --- runs -----------------------------------------------------------------------------------------

def test_a_run_is_recorded_once_per_model_and_period_and_alerts_are_deduplicated(world):
    overdue(world)
    m = model("overdue_cluster")
    first = runs.run_model(m, PERIOD, actor=world.admin)
    assert (first.status, first.hits, first.new_alerts) == (RunStatus.SUCCEEDED, 1, 1)
    again = runs.run_model(m, PERIOD, actor=world.admin)
    assert again.id == first.id and db.session.scalar(sa.select(sa.func.count()).select_from(ModelRun)) == 1
    later = runs.run_model(m, "2026-12-01")
    assert (later.hits, later.new_alerts) == (1, 0)
    alert = db.session.scalar(sa.select(Alert))
    assert (alert.seen_count, alert.first_run_id, alert.last_run_id) == (2, first.id, later.id)
    assert alert.fingerprint == runs.fingerprint("overdue_cluster", f"unit:{world.proc.id}:type:{alert.evidence_key.split(':')[-1]}")
    assert "supervision_run.finish" in audit_actions()


def test_a_failing_model_marks_its_run_failed_and_the_others_still_run(world, failing):
    overdue(world)
    services.set_enabled(model("overdue_cluster"), actor=None, enabled=True)
    bad = SupervisionModel(key="broken", function="test_failing", name="失败模型", params={"n": 1}, cron="0 3 * * *",
                           enabled=True)
    db.session.add(bad)
    commit()
    done = {r.model.key: r for r in runs.run_all(PERIOD)}
    assert done["broken"].status is RunStatus.FAILED
    assert done["broken"].error == "RuntimeError: 数据源不可用"
    assert done["overdue_cluster"].status is RunStatus.SUCCEEDED and done["overdue_cluster"].new_alerts == 1
    assert "supervision_run.fail" in audit_actions()
    # The failure is retried on the next attempt (and recorded as a second attempt).
    registry.FUNCTIONS["test_failing"] = registry.ModelFunction(
        "test_failing", lambda ctx, p, period: [], "失败模型", "", "", failing.params)
    retried = runs.run_model(db.session.get(SupervisionModel, bad.id), PERIOD)
    assert (retried.status, retried.attempts, retried.error) == (RunStatus.SUCCEEDED, 2, None)


def test_a_run_refuses_a_bad_period_and_out_of_bounds_stored_parameters(world):
    m = model("overdue_cluster")
    with pytest.raises(ValidationFailed, match="期间“2026-13”无效"):
        runs.run_model(m, "2026-13")
    m.params = {"min_count": 0}
    commit()
    with pytest.raises(ValidationFailed, match="须在 2 至 500 之间"):
        runs.run_model(m, PERIOD)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModelRun)) == 0


def test_scheduled_dispatch_runs_a_model_once_for_the_day_before_its_fire(app, world):
    overdue(world)
    m = model("overdue_cluster")
    services.set_enabled(m, actor=None, enabled=True)
    m.checked_until = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.timezone.utc)   # 12-01 02:00 in Shanghai
    commit()
    now = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.timezone.utc)                # 12-01 04:00: 03:10 has fired
    done = jobs.dispatch(now)
    assert [(r.model.key, r.period_key) for r in done] == [("overdue_cluster", "2026-11-30")]
    assert jobs.dispatch(now + dt.timedelta(minutes=5)) == []


# --- alerts ---------------------------------------------------------------------------------------

@pytest.fixture
def alert(world):
    rs = overdue(world)
    runs.run_model(model("overdue_cluster"), PERIOD)
    a = db.session.scalar(sa.select(Alert))
    a.referral_ids = [r.id for r in rs]
    return a


def test_only_npc_staff_decide_on_alerts(world, alert, make_user):
    reviewer = make_user("reviewer", world.body, roles={Role.NPC_REVIEWER})
    for someone in (world.contact, world.admin, reviewer):
        with pytest.raises(NotAllowed, match="只有人大联络人员"):
            services.confirm(alert, actor=someone)
    with pytest.raises(InvalidTransition):
        services.convert(alert, actor=world.staff, title="x", lead_body=world.body)   # not confirmed yet
    services.confirm(alert, actor=world.staff, expected_version=alert.version)
    commit()
    assert (alert.state, alert.decided_by_id) == (AlertState.CONFIRMED, world.staff.id)
    assert "alert.confirm" in audit_actions()


def test_dismissing_needs_a_reason_and_counts_in_precision(world, alert):
    with pytest.raises(ValidationFailed, match="须说明理由"):
        services.dismiss(alert, actor=world.staff, reason="  ")
    services.dismiss(alert, actor=world.staff, reason="系统数据延迟，实为已办结")
    commit()
    assert alert.state is AlertState.DISMISSED
    p = queries.precision_by_model()[alert.model_id]
    assert (p.confirmed, p.dismissed, p.rate) == (0, 1, 0.0)
    # Seen again by a later run: the decided alert keeps its state and raises nothing new.
    later = runs.run_model(alert.model, "2026-12-01")
    assert later.new_alerts == 0 and db.session.get(Alert, alert.id).state is AlertState.DISMISSED


def test_converting_opens_a_topic_that_carries_the_evidence(world, alert):
    services.confirm(alert, actor=world.staff)
    topic = services.convert(alert, actor=world.staff, title="逾期集中问题专项监督", lead_body=world.body)
    commit()
    topic = db.session.get(Topic, topic.id)
    assert alert.state is AlertState.CONVERTED and alert.topic_id == topic.id
    kinds = sorted((s.kind.value, s.alert_id, s.referral_id) for s in topic.sources)
    assert ("model_alert", alert.id, None) in kinds
    assert sorted(s.referral_id for s in topic.sources if s.referral_id) == sorted(alert.referral_ids)
    assert "市人民检察院" in topic.description
    p = queries.precision_by_model()[alert.model_id]
    assert (p.confirmed, p.dismissed, p.rate) == (1, 0, 1.0)
    assert {"alert.convert", "topic.create"} <= set(audit_actions())
    with pytest.raises(InvalidTransition):
        services.dismiss(alert, actor=world.staff, reason="晚了")


# --- sharing --------------------------------------------------------------------------------------

def test_export_then_import_elsewhere_creates_it_disabled_until_reviewed(world):
    m = model("overdue_cluster")
    services.update_model(m, actor=world.admin, name="逾期集中（江州）", purpose="p", legal_basis="l",
                          params={"min_count": 4, "grace_days": 5}, cron="0 5 * * *")
    commit()
    package = sharing.export_package(m)
    assert {"format_version", "key", "code_version", "params", "checksum"} <= set(package)
    db.session.delete(m)
    commit()
    imported = sharing.import_package(sharing.parse(sharing.dumps(package)), actor=world.admin)
    commit()
    assert (imported.key, imported.params, imported.cron) == ("overdue_cluster", {"min_count": 4, "grace_days": 5}, "0 5 * * *")
    assert (imported.enabled, imported.reviewed) == (False, False)
    with pytest.raises(ValidationFailed, match="须先由管理员审核"):
        services.set_enabled(imported, actor=world.admin, enabled=True)
    services.update_model(imported, actor=world.admin, name=imported.name, purpose="", legal_basis="",
                          params=imported.params, cron=imported.cron)
    services.set_enabled(imported, actor=world.admin, enabled=True)
    commit()
    assert imported.enabled and "supervision_model.import" in audit_actions()
    # Re-importing an update switches it off again for review.
    sharing.import_package(package, actor=world.admin)
    assert not imported.enabled and not imported.reviewed


def _resigned(package: dict, **changes) -> dict:
    changed = {**package, **changes}
    changed["checksum"] = sharing.checksum(changed)
    return changed


@pytest.mark.parametrize("change, message", [
    ({"function": "secret_scoring"}, "没有注册模型函数“secret_scoring”"),
    ({"format_version": 9}, "格式版本 9 不受支持"),
    ({"code_version": "7"}, "代码版本不符"),
    ({"params": {"min_count": 10_000, "grace_days": 0}}, "须在 2 至 500 之间"),
    ({"cron": "every day"}, "定时表达式"),
    ({"format": "something-else"}, "这不是监督模型包"),
])
def test_import_refuses_bad_packages(world, change, message):
    package = _resigned(sharing.export_package(model("overdue_cluster")), **change)
    with pytest.raises(ValidationFailed, match=message):
        sharing.import_package(package, actor=world.admin)


def test_import_refuses_a_tampered_package_garbage_and_non_admins(world):
    package = sharing.export_package(model("overdue_cluster"))
    tampered = {**package, "params": {"min_count": 2, "grace_days": 0}}
    with pytest.raises(ValidationFailed, match="校验和不符"):
        sharing.import_package(tampered, actor=world.admin)
    with pytest.raises(ValidationFailed, match="不是有效的 JSON"):
        sharing.parse(b"\xff{not json")
    with pytest.raises(NotAllowed):
        sharing.import_package(package, actor=world.staff)
