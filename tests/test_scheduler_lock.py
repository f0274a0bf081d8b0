"""Two schedulers started against one database: one runs the jobs, the other stands by and takes
over when the first ends (PostgreSQL advisory lock; a lock file for SQLite)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from oversight.db import db
from oversight.scheduler_lock import SchedulerLock

ROOT = Path(__file__).resolve().parent.parent


def _ticks(path: Path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [(int(pid), float(at)) for pid, at in (line.split() for line in path.read_text().splitlines())]


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError("timed out")


def test_only_one_lock_holder_at_a_time(app):
    first, second = SchedulerLock(app), SchedulerLock(app)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        first.release()
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_two_scheduler_processes_run_a_job_once(app, tmp_path):
    db.session.commit()
    probe = tmp_path / "ticks.txt"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "OVERSIGHT_INSTANCE_PATH": str(tmp_path), "SCHEDULER_PROBE_FILE": str(probe),
           "OVERSIGHT_SCHEDULER_JOBS": json.dumps([["probe", "tests.scheduler_probe:tick", {"second": "*"}]]),
           "OVERSIGHT_SCHEDULER_LOCK_RETRY": "0.5", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True) for _ in range(2)]
    try:
        _wait_for(lambda: len(_ticks(probe)) >= 4)
        time.sleep(2)
        ticks = _ticks(probe)
        assert len({pid for pid, _ in ticks}) == 1, ticks           # one process ran the job …
        seconds = [int(at) for _, at in ticks]
        assert len(seconds) == len(set(seconds)), ticks              # … once a second, never twice
        leader = next(p for p in processes if p.pid == ticks[0][0])
        standby = next(p for p in processes if p is not leader)
        leader.send_signal(signal.SIGTERM)                           # the leader ends: the other takes over
        leader.wait(timeout=30)
        _wait_for(lambda: any(pid == standby.pid for pid, _ in _ticks(probe)))
        after = [at for pid, at in _ticks(probe) if pid == standby.pid]
        assert min(after) > max(at for pid, at in _ticks(probe) if pid == leader.pid)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=30)[0] for process in processes]
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS apscheduler_jobs")
    assert any("standing by" in out for out in outputs), outputs

