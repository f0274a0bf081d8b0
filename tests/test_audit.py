"""The audit chain: appends, verification, tampering found and named, the auditor's page."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from oversight.audit import guard
from oversight.audit import services as audit
from oversight.audit.models import AuditEntry, AuditHead
from oversight.db import commit, db
from oversight.workdays import services as calendar_services

from .conftest import text_of


def _entries(n: int, actor=None) -> list[int]:
    seqs = [audit.record("test.event", actor=actor, object_type="thing", object_id=i, summary={"i": i, "名": "张三"})
            for i in range(n)]
    commit()
    return seqs


def _tamper(sql: str, **params) -> None:
    """What someone with direct database access does: lift the guard, change rows."""
    conn = db.session.connection()
    guard.remove(conn)
    conn.execute(sa.text(sql), params)
    guard.install(conn)
    db.session.commit()


def test_entries_chain_onto_each_other(app):
    seqs = _entries(5)
    assert seqs == [1, 2, 3, 4, 5]
    rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert rows[0].prev_hash == "0" * 64
    for before, after in zip(rows, rows[1:]):
        assert after.prev_hash == before.hash
    head = db.session.get(AuditHead, 1)
    assert (head.seq, head.hash) == (5, rows[-1].hash)
    assert audit.verify().ok


def test_rolled_back_entry_leaves_no_gap(app):
    _entries(2)
    audit.record("test.discarded")
    db.session.rollback()
    _entries(1)
    assert [e.seq for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq))] == [1, 2, 3]
    assert audit.verify().ok


@pytest.mark.parametrize("column,value", [("summary", '{"i":2,"名":"李四"}'), ("actor_label", "someone else"),
                                          ("action", "test.innocent"), ("object_id", "99")])
def test_altered_row_is_named(app, column, value):
    _entries(5)
    _tamper(f"UPDATE audit_entries SET {column} = :v WHERE seq = 3", v=value)
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 3
    assert result.checked == 2


def test_altered_row_with_recomputed_hash_breaks_the_next_link(app):
    """An attacker who also recomputes the row's own hash still breaks the following entry."""
    _entries(5)
    row = db.session.get(AuditEntry, 3)
    fake = audit.entry_hash(row.prev_hash, seq=3, created_at=row.created_at, actor_id=row.actor_id,
                            actor_label=row.actor_label, action="test.innocent", object_type=row.object_type,
                            object_id=row.object_id, organisation_id=row.organisation_id, summary=row.summary,
                            ip=row.ip)
    _tamper("UPDATE audit_entries SET action = 'test.innocent', hash = :h WHERE seq = 3", h=fake)
    result = audit.verify()
    assert not result.ok and result.broken_seq == 4


def test_removed_row_is_named(app):
    _entries(5)
    _tamper("DELETE FROM audit_entries WHERE seq = 2")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 2
    assert "missing" in result.reason


def test_removed_tail_is_found_through_the_head(app):
    _entries(5)
    _tamper("DELETE FROM audit_entries WHERE seq = 5")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 5


def test_database_refuses_updates_and_deletes(app):
    _entries(2)
    for statement in ("UPDATE audit_entries SET action = 'x' WHERE seq = 1", "DELETE FROM audit_entries WHERE seq = 1"):
        with pytest.raises(DBAPIError):
            db.session.execute(sa.text(statement))
            db.session.flush()
        db.session.rollback()
    assert audit.verify().ok


def test_verify_command_exit_codes(app, runner):
    _entries(3)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 entries verified" in ok.output
    _tamper("UPDATE audit_entries SET summary = '{}' WHERE seq = 2")
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry 2" in broken.output


def test_verify_works_in_batches(app):
    _entries(25)
    assert audit.verify(batch=7).ok
    _tamper("UPDATE audit_entries SET summary = '{}' WHERE seq = 15")
    assert audit.verify(batch=7).broken_seq == 15


def test_services_write_the_chain(world):
    calendar_services.set_day(actor=world.admin, day=__import__("datetime").date(2027, 1, 4), working=False, name="测试")
    commit()
    last = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last.action == "calendar.set_day"
    assert last.actor_id == world.admin.id
    assert last.organisation_id == world.admin.organisation_id
    assert audit.verify().ok


def test_login_success_and_failure_are_audited(world, client):
    client.post("/login", data={"username": "staff", "password": "wrong-password-1"})
    client.post("/login", data={"username": "nobody", "password": "wrong-password-1"})
    client.post("/login", data={"username": "staff", "password": "Test-password-2026"})
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.actor_label, AuditEntry.summary)
                                 .where(AuditEntry.action.startswith("auth.")).order_by(AuditEntry.seq)).all()
    assert [a for a, _, _ in actions] == ["auth.login_failed", "auth.login_failed", "auth.login"]
    assert actions[1][1] == "nobody" and "unknown_user" in actions[1][2]
    assert audit.verify().ok


def test_audit_page_is_for_auditors_only(world, client, login):
    login(world.staff)
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/verify").status_code == 403


def test_auditor_searches_and_verifies(world, client, login):
    login(world.auditor)
    page = client.get("/audit/?action=organisation.create")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<code>organisation.create</code>" in html and "<code>user.create</code>" not in html
    verified = client.post("/audit/verify")
    assert "校验通过" in text_of(verified)
    _tamper("UPDATE audit_entries SET summary = '{}' WHERE seq = 2")
    assert "第 2 条" in text_of(client.post("/audit/verify"))
