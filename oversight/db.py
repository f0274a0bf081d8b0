"""The database: declarative base, column types, engine tuning and the commit-once helper.

Services change state and flush; they never commit. The entry point (a view, an API endpoint, a
CLI command, a scheduled job) calls `commit()` once after its service calls. Work that must only
happen if the transaction lands — e-mail, anything leaving the process — is queued with
`after_commit()` and run by `commit()` after the database has accepted the change.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """A point in time, stored as naive UTC on every engine and returned timezone-aware (UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def enum_column(enum_cls, **kw):
    """A string column holding a `StrEnum`, with a CHECK constraint listing its values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=kw.pop("name", None) or enum_cls.__name__.lower(),
        **kw,
    )


# --- the outbox -------------------------------------------------------------------------------

def after_commit(action: Callable[[], None]) -> None:
    """Queue `action` to run once the current transaction has committed (and never if it rolls back)."""
    db.session.info.setdefault("outbox", []).append(action)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session):  # a rolled-back transaction never sends anything
    session.info.pop("outbox", None)


def commit() -> None:
    """Commit the unit of work, then run what it queued. Races surface as `Conflict`."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(_changed_by_someone_else()) from exc
    except IntegrityError as exc:
        # Services check uniqueness first; reaching here means a concurrent request won the race.
        db.session.rollback()
        raise Conflict(_changed_by_someone_else()) from exc
    for action in db.session.info.pop("outbox", []):
        action()


def _changed_by_someone_else() -> str:
    from flask_babel import gettext as _

    return _("该记录已被他人修改，请刷新后重试。")


# --- engine tuning ----------------------------------------------------------------------------

def _wants_write_lock() -> bool:
    # Requests that may write take SQLite's write lock when their transaction begins, so two of them
    # queue behind busy_timeout instead of one failing on a stale read snapshot. Reads stay
    # concurrent. CLI commands and jobs run outside requests and are treated as writers.
    if has_request_context():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return True
        return getattr(current_app.view_functions.get(request.endpoint), "writes_on_get", False)
    return True


def writes_on_get(view):
    """Mark a GET view that writes (an audited download) so that it, too, takes the write lock first."""
    view.writes_on_get = True
    return view


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (the documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")
