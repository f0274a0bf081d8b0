"""The model admin and alert pages through HTTP: who may open them, tuning with a Chinese error, run now,
export/import, the alert list's filters and pages, the decisions, and the CLI."""
from __future__ import annotations

import datetime as dt
import io
import json

import sqlalchemy as sa

from oversight.db import commit, db
from oversight.supervision import runs, services
from oversight.supervision.models import Alert, SupervisionModel
from tests import supervision_data as data
from tests.conftest import text_of
from tests.supervision_data import AS_OF, PERIOD


def _model(key: str) -> SupervisionModel:
    services.ensure_builtins()
    commit()
    return db.session.scalar(sa.select(SupervisionModel).where(SupervisionModel.key == key))


def _alerts(world, units=1):
    for unit in [world.proc, world.d_proc][:units]:
        for d in range(5):
            data.referral(sender=world.npc, receiver=unit, due=AS_OF - dt.timedelta(days=3 + d), title=f"逾期事项{d}")
    commit()
    runs.run_model(_model("overdue_cluster"), PERIOD)
    return list(db.session.scalars(sa.select(Alert).order_by(Alert.id)))


def test_admin_pages_are_for_admins_only(client, login, world):
    login(world.staff)
    assert client.get("/admin/models/").status_code == 403
    client.post("/logout")
    login(world.admin)
    page = client.get("/admin/models/")
    assert page.status_code == 200 and "逾期集中预警" in text_of(page) and "暂无研判" in text_of(page)


def test_tuning_out_of_bounds_is_shown_in_chinese_and_nothing_saved(client, login, world):
    m = _model("overdue_cluster")
    login(world.admin)
    response = client.post(f"/admin/models/{m.id}", data={"name": m.name, "purpose": "", "legal_basis": "",
                                                        "cron": "0 3 * * *", "version": m.version,
                                                        "param_min_count": "1", "param_grace_days": "0"})
    assert response.status_code == 422 and "须在 2 至 500 之间" in text_of(response)
    assert db.session.get(SupervisionModel, m.id).params["min_count"] == 5
    ok = client.post(f"/admin/models/{m.id}", data={"name": m.name, "purpose": "", "legal_basis": "",
                                                   "cron": "0 3 * * *", "version": m.version,
                                                   "param_min_count": "4", "param_grace_days": "2"})
    assert ok.status_code == 302 and db.session.get(SupervisionModel, m.id).params == {"min_count": 4, "grace_days": 2}


def test_run_now_enable_export_and_import_from_the_page(client, login, world):
    for d in range(5):
        data.referral(sender=world.npc, receiver=world.proc, due=AS_OF - dt.timedelta(days=3 + d))
    commit()
    m = _model("overdue_cluster")
    login(world.admin)
    done = client.post(f"/admin/models/{m.id}/run", data={"period": PERIOD}, follow_redirects=True)
    assert "命中 1 条，新预警 1 条" in text_of(done)
    bad = client.post(f"/admin/models/{m.id}/run", data={"period": "明天"}, follow_redirects=True)
    assert "期间“明天”无效" in text_of(bad)
    client.post(f"/admin/models/{m.id}/enabled", data={"enabled": "1", "version": m.version})
    assert db.session.get(SupervisionModel, m.id).enabled
    package = client.get(f"/admin/models/{m.id}/export.json")
    body = json.loads(package.get_data())
    assert body["key"] == "overdue_cluster" and body["format_version"] == 1
    body["params"]["min_count"] = 3    # edited by hand: the checksum no longer matches
    refused = client.post("/admin/models/import", data={"package": (io.BytesIO(json.dumps(body).encode()), "m.json")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "校验和不符" in text_of(refused)
    body["params"]["min_count"] = 5
    accepted = client.post("/admin/models/import", data={"package": (io.BytesIO(json.dumps(body).encode()), "m.json")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "已导入，处于停用状态" in text_of(accepted)
    assert not db.session.get(SupervisionModel, m.id).enabled


def test_alert_list_filters_and_pages(client, login, world, app):
    alerts = _alerts(world, units=2)
    login(world.staff)
    page = client.get("/alerts/")
    assert page.status_code == 200 and all(a.title in text_of(page) for a in alerts)
    services.dismiss(db.session.get(Alert, alerts[0].id), actor=world.staff, reason="误报")
    commit()
    new_only = text_of(client.get("/alerts/?state=new"))
    assert alerts[1].title in new_only and alerts[0].title not in new_only
    from oversight.supervision import queries

    first = queries.alerts(queries.Filters(), limit=1)
    assert first.more and [a.id for a in first.rows] == [alerts[1].id]
    second = text_of(client.get(f"/alerts/?after={first.next_cursor}"))
    assert alerts[0].title in second
    client.post("/logout")
    login(world.contact)
    assert client.get("/alerts/").status_code == 403


def test_staff_confirm_and_convert_and_the_topic_shows_the_evidence(client, login, world):
    alert = _alerts(world)[0]
    login(world.staff)
    detail = text_of(client.get(f"/alerts/{alert.id}"))
    assert "逾期事项0" in detail and "确认预警" in detail
    client.post(f"/alerts/{alert.id}/confirm", data={"version": alert.version})
    refused = client.post(f"/alerts/{alert.id}/dismiss", data={"reason": "", "version": 2})
    assert refused.status_code == 422 and "须说明理由" in text_of(refused)
    done = client.post(f"/alerts/{alert.id}/convert", data={"title": "逾期问题专项监督", "lead_body": world.body.id,
                                                            "version": 2})
    assert done.status_code == 302 and "/topics/" in done.headers["Location"]
    topic_page = text_of(client.get(done.headers["Location"]))
    assert "模型预警" in topic_page and "逾期事项0" in topic_page and "逾期事项4" in topic_page


def test_admin_cannot_decide_on_alerts(client, login, world):
    alert = _alerts(world)[0]
    login(world.admin)
    assert client.post(f"/alerts/{alert.id}/confirm", data={"version": alert.version}).status_code == 403


def test_cli_runs_exports_and_imports(runner, world, tmp_path):
    for d in range(5):
        data.referral(sender=world.npc, receiver=world.proc, due=AS_OF - dt.timedelta(days=3 + d))
    commit()
    result = runner.invoke(args=["models", "run", "overdue_cluster", PERIOD])
    assert result.exit_code == 0 and "succeeded hits=1 new_alerts=1" in result.output
    out = tmp_path / "m.json"
    assert runner.invoke(args=["models", "export", "overdue_cluster", "-o", str(out)]).exit_code == 0
    package = json.loads(out.read_text())
    package["function"] = "unknown_fn"
    from oversight.supervision import sharing

    package["checksum"] = sharing.checksum(package)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(package))
    refused = runner.invoke(args=["models", "import", str(bad)])
    assert refused.exit_code != 0 and "没有注册模型函数" in refused.output
    assert runner.invoke(args=["models", "import", str(out)]).exit_code == 0
    assert runner.invoke(args=["models", "run", "overdue_cluster", "2026-99"]).exit_code != 0
