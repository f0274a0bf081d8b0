"""Database triggers that refuse UPDATE and DELETE on the audit log (append-only at the source).

The chain's hashes find tampering by anyone who gets past these (an owner can drop a trigger);
the triggers stop accidents and careless scripts. Migrations install them; tests that simulate an
attacker remove them first, as an attacker would.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

_SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
]
_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
]


def install(conn: Connection) -> None:
    for statement in _POSTGRES if conn.dialect.name == "postgresql" else _SQLITE:
        conn.exec_driver_sql(statement)


def remove(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_entries_append_only()")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entries_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entries_no_delete")
