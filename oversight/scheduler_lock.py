"""One scheduler per database: the lock a scheduler must hold before it runs any job.

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own, kept
open for the life of the process — it is released when the process ends or its connection drops,
whatever the way it ends. SQLite (one host by nature): an exclusive `flock` on a file in the instance
folder, released by the operating system in the same cases.
"""
from __future__ import annotations

import fcntl
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.pool import NullPool

# Any fixed 63-bit number, the same in every process of a deployment ("oversigh" in ASCII).
LOCK_KEY = 0x6F76657273696768


class SchedulerLock:
    def __init__(self, app: Flask):
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.path = Path(app.instance_path) / "scheduler.lock"
        self._conn = None
        self._file = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if no other scheduler holds it; True once held."""
        if self.held:
            return True
        if sa.make_url(self.url).get_backend_name() == "postgresql":
            conn = sa.create_engine(self.url, poolclass=NullPool).connect()
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()
            conn.commit()   # the lock is the session's, not the transaction's: nothing stays open
            if got:
                self._conn = conn
            else:
                conn.close()
            return bool(got)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
