"""Fixtures: the app on SQLite and (when reachable) on PostgreSQL, clients, and factories.

Every database test runs once per engine. The schema comes from the real migrations, not from
`create_all`, so the tests exercise what deployments run. Between tests every table is emptied.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from oversight import create_app
from oversight.audit import guard
from oversight.db import db

PASSWORD = "Test-password-2026"


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _reachable(url: str) -> str | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as exc:  # any failure to connect
        return str(exc).splitlines()[0]
    return None


def _engines() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    url = _postgres_url()
    in_ci = os.environ.get("CI", "").lower() == "true"
    if url:
        params.append(pytest.param("postgresql", id="postgresql"))
    elif in_ci:
        raise pytest.UsageError("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI.")
    return params


ENGINES = _engines()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory) -> dict[str, str]:
    """One migrated database per engine for the whole session."""
    urls = {"sqlite": "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")}
    pg = _postgres_url()
    if pg:
        problem = _reachable(pg)
        if problem:
            pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {problem}", returncode=3)
        engine = sa.create_engine(pg)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        urls["postgresql"] = pg
    for url in urls.values():
        app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            with db.engine.connect() as conn:
                _reference_rows[db.engine.url.render_as_string(hide_password=False)] = {
                    name: [dict(row._mapping) for row in conn.execute(sa.select(db.metadata.tables[name]))]
                    for name in REFERENCE_TABLES}
            db.engine.dispose()
    return urls


# Tables the migrations fill with reference data; tests get them back after every emptying.
REFERENCE_TABLES = ("referral_types",)
_reference_rows: dict[str, dict[str, list[dict]]] = {}


def _config(url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "tests-only-secret",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": str(instance / "files"),
        "SERVER_NAME": None,
        # Cheaper argon2 for speed; the algorithm and code path are the production ones.
        "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    }


def empty_database() -> None:
    """Delete every row (the audit log too, by lifting its guard for a moment) and reset the chain."""
    conn = db.session.connection()
    guard.remove(conn)
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
    else:
        for name in tables:
            conn.exec_driver_sql(f"DELETE FROM {name}")
    conn.exec_driver_sql("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    for name, rows in _reference_rows[db.engine.url.render_as_string(hide_password=False)].items():
        if rows:
            conn.execute(sa.insert(db.metadata.tables[name]), rows)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
    guard.install(conn)
    db.session.commit()


@pytest.fixture(params=ENGINES)
def engine_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def apps(database_urls, tmp_path_factory):
    """One app per engine for the session (so one connection pool each), disposed at the end."""
    built = {name: create_app(_config(url, tmp_path_factory.mktemp(f"instance-{name}")))
             for name, url in database_urls.items()}
    yield built
    for app in built.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(engine_name, apps):
    app = apps[engine_name]
    with app.app_context():
        empty_database()
        yield app
        db.session.rollback()
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client whose requests run as they do in production: in their own app context, so with
    their own database session, not the test's. The test's session sees their effects afterwards."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ----------------------------------------------------------------------------------

@pytest.fixture
def make_org(app):
    """make_org("JZ-NPC", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY, parent=None, **kw)"""
    from oversight.orgs import services
    from oversight.orgs.models import OrgKind, OrgLevel

    def make(code: str, name: str | None = None, *, kind: OrgKind = OrgKind.NPC_COMMITTEE,
             level: OrgLevel | None = None, parent=None, **kw):
        if level is None:
            level = OrgLevel.CITY if kind in (OrgKind.NPC_COMMITTEE, OrgKind.PROCURATORATE) else OrgLevel.NONE
        org = services.create_organisation(actor=None, code=code, name=name or f"机构{code}", kind=kind,
                                           level=level, parent=parent, **kw)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app):
    """make_user("alice", org, roles={Role.NPC_STAFF}, **kw) → a committed User."""
    from oversight.accounts import services
    from oversight.accounts.models import Role

    def make(username: str, organisation, *, roles=None, password: str = PASSWORD, deputy=None, **kw):
        roles = set(roles or {Role.NPC_STAFF})
        if Role.DEPUTY in roles and deputy is None:
            deputy = services.DeputyInfo("测试代表团", "第六届")
        user = services.create_user(actor=None, username=username, display_name=kw.pop("display_name", username),
                                    organisation=organisation, roles=roles, password=password, deputy=deputy,
                                    must_change_password=kw.pop("must_change_password", False), **kw)
        db.session.commit()
        return user

    return make


@pytest.fixture
def world(make_org, make_user):
    """A small two-sided world: a city NPC committee with a body and a station, the paired city
    procuratorate with a department, a district pair below them, and an admin and an auditor."""
    from types import SimpleNamespace

    from oversight.accounts.models import Role
    from oversight.orgs import services
    from oversight.orgs.models import OrgKind, OrgLevel

    npc = make_org("C-NPC", "市人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY, serial_prefix="SRD")
    body = make_org("C-NPC-JSW", "市人大监察司法委", kind=OrgKind.NPC_BODY, parent=npc)
    station = make_org("C-NPC-LS1", "某街道代表联络站", kind=OrgKind.LIAISON_STATION, parent=npc)
    proc = make_org("C-P", "市人民检察院", kind=OrgKind.PROCURATORATE, level=OrgLevel.CITY)
    dept = make_org("C-P-D1", "市院第一检察部", kind=OrgKind.PROCURATORATE_DEPARTMENT, parent=proc)
    d_npc = make_org("D-NPC", "区人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.COUNTY, parent=npc)
    d_proc = make_org("D-P", "区人民检察院", kind=OrgKind.PROCURATORATE, level=OrgLevel.COUNTY, parent=proc)
    services.set_pairing(npc, actor=None, procuratorate=proc)
    services.set_pairing(d_npc, actor=None, procuratorate=d_proc)
    db.session.commit()
    admin = make_user("admin", body, roles={Role.SYSTEM_ADMIN})
    auditor = make_user("auditor", body, roles={Role.AUDITOR})
    staff = make_user("staff", body, roles={Role.NPC_STAFF})
    contact = make_user("contact", proc, roles={Role.PROCURATORATE_CONTACT})
    return SimpleNamespace(npc=npc, body=body, station=station, proc=proc, dept=dept, d_npc=d_npc,
                           d_proc=d_proc, admin=admin, auditor=auditor, staff=staff, contact=contact)


@pytest.fixture
def login(client):
    """login(user) logs the test client in through the real login form."""

    def do(user, password: str = PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


def text_of(response) -> str:
    """The visible text of an HTML response, tags stripped, for assertions on Chinese messages."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
