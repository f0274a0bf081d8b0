"""Every list page runs the same number of SQL statements whatever the amount of data: no per-row
queries, no counting of the whole table (issue 4)."""
from __future__ import annotations

import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.db import db
from oversight.demo.data import DEMO_PASSWORD
from oversight.demo.scale.profiles import PROFILES, Profile

from .conftest import empty_database

PAGES = ["/referrals/", "/referrals/sent", "/referrals/search", "/referrals/search?state=in_progress",
         "/referrals/search?sort=updated&direction=npc_to_procuratorate", "/referrals/search?due_status=overdue",
         "/referrals/search?keyword=%E5%BB%BA%E8%AE%AE", "/notifications/", "/audit/"]
USERS = ["npc.liaison", "proc.contact", "proc.handler", "deputy.wang", "auditor"]


def _statements(app, client, runner, monkeypatch, referrals: int) -> dict[tuple[str, str], int]:
    empty_database()
    monkeypatch.setitem(PROFILES, "small", Profile("small", extra_districts=0, deputies=5, referrals=referrals,
                                                   years=1, chunk=100))
    assert runner.invoke(args=["demo", "scale", "--profile", "small"]).exit_code == 0
    counted: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    result = {}
    for username in USERS:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        client.post("/logout")
        assert client.post("/login", data={"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
        for url in PAGES:
            sa.event.listen(db.engine, "before_cursor_execute", count)
            try:
                response = client.get(url)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", count)
            if response.status_code == 200:
                result[username, url] = len(counted)
            counted.clear()
    return result


def test_list_pages_run_as_many_statements_for_100_rows_as_for_10(app, client, runner, monkeypatch):
    few = _statements(app, client, runner, monkeypatch, 10)
    many = _statements(app, client, runner, monkeypatch, 100)
    assert len(few) >= 20 and few.keys() == many.keys()
    assert {k: v for k, v in many.items() if few[k] != v} == {}, few
