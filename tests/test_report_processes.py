"""Two scheduler processes and a run killed mid-way: in the end exactly one report per (report,
period), delivered once. Real processes (`flask reports dispatch`, what the scheduler's minute job
runs) against the test database — PostgreSQL when TEST_DATABASE_URL is set, and the SQLite file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.db import commit, db
from oversight.notifications.models import Notification
from oversight.referrals.models import Classification
from reports import services
from reports.models import ReportDelivery, ReportRun, RunStatus
from reports.statistics import Period
from tests.report_data import seed_referrals

ROOT = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 3


def _dispatcher(url: str, instance: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "OVERSIGHT_INSTANCE_PATH": str(instance), "SECRET_KEY": "t",
           "OVERSIGHT_REPORTS_RUN_LEASE_SECONDS": str(LEASE_SECONDS), "OVERSIGHT_SCHEDULER_IN_PROCESS": "false"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "reports", "dispatch"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _state() -> tuple[RunStatus, int, str]:
    """The run's (status, attempts, progress) from a fresh snapshot, leaving no transaction open (on
    SQLite an open one would hold the write lock the dispatchers need)."""
    db.session.rollback()
    row = db.session.execute(sa.select(ReportRun.status, ReportRun.attempts, ReportRun.progress)).one()
    db.session.rollback()
    return RunStatus(row[0]), row[1], row[2]


def test_two_dispatchers_and_a_killed_run_make_exactly_one_report(app, world, make_user, tmp_path):
    seed_referrals(world, start=Period.parse("month", "2026-10").start, days=31, count=150)
    reviewer = make_user("reviewer", world.body, roles={Role.NPC_REVIEWER})
    services.save_schedule("monthly", actor=world.admin, cron="0 7 1 * *", classification=Classification.INTERNAL,
                           recipients=[reviewer, world.staff])
    services.request_run("monthly", "2026-10", actor=world.admin)
    commit()
    url = db.engine.url.render_as_string(hide_password=False)

    doomed = _dispatcher(url, tmp_path)
    deadline = time.monotonic() + 60
    while (state := _state())[0] is not RunStatus.RUNNING or not state[2].startswith("生成"):
        assert time.monotonic() < deadline and doomed.poll() is None, doomed.communicate()
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)  # mid-render: claimed and committed, nothing produced
    doomed.communicate()
    assert _state()[:2] == (RunStatus.RUNNING, 1)

    time.sleep(LEASE_SECONDS + 0.5)  # the dead holder's lease runs out
    pair = [_dispatcher(url, tmp_path), _dispatcher(url, tmp_path)]
    outputs = [p.communicate(timeout=180)[0] for p in pair]
    assert all(p.returncode == 0 for p in pair), outputs
    assert sorted(int("'produced': 1" in out) for out in outputs) == [0, 1], outputs

    runs = list(db.session.scalars(sa.select(ReportRun)))
    assert len(runs) == 1
    run = runs[0]
    assert run.status is RunStatus.SUCCEEDED and run.attempts == 2 and run.pdf.startswith(b"%PDF")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportDelivery)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.kind == "report")) == 2
