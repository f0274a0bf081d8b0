"""Migrations build the schema the models describe, on an empty database of each engine."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from oversight import create_app
from oversight.db import db

from .conftest import ENGINES, _postgres_url


@pytest.fixture(params=ENGINES)
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "empty.sqlite3")
        return
    base = make_url(_postgres_url())
    name = f"oversight_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_upgrade_check_downgrade_upgrade(empty_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    try:
        for args in (["db", "upgrade"], ["db", "check"], ["db", "downgrade", "base"], ["db", "upgrade"],
                     ["db", "check"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, f"{' '.join(args)}: {result.output}"
        with app.app_context():
            tables = set(sa.inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
            assert db.session.execute(sa.text("SELECT seq, hash FROM audit_head")).one() == (0, "0" * 64)
            db.session.remove()
            db.engine.dispose()
    finally:
        with app.app_context():
            db.engine.dispose()


def test_demo_load_runs_twice_and_every_account_logs_in(empty_database_url):
    import json

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x",
                      "WTF_CSRF_ENABLED": False, "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        first = runner.invoke(args=["demo", "load"])
        assert first.exit_code == 0, first.output
        second = runner.invoke(args=["demo", "load"])
        assert "0 organisations and 0 accounts created" in second.output
        accounts = json.loads(runner.invoke(args=["demo", "accounts"]).output)
        roles = {a["role"] for a in accounts}
        assert roles == {"npc_staff", "npc_reviewer", "procuratorate_contact", "procuratorate_handler", "deputy",
                         "public_evaluator", "system_admin", "security_admin", "auditor"}
        for account in accounts:
            client = app.test_client()
            response = client.post("/login", data={"username": account["username"], "password": account["password"]})
            assert response.status_code == 302, account
            assert client.get("/").status_code == 200
        verify = runner.invoke(args=["audit", "verify"])
        assert verify.exit_code == 0, verify.output
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
