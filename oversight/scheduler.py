"""The scheduler: APScheduler 3 with its jobs kept in the application's database.

Production runs it as its own process, `flask scheduler run`; the embedded single-process default
may start it inside the web process instead (`SCHEDULER_IN_PROCESS`, which `scripts/run` sets for
`flask run`). Jobs are thin: they push an app context, call services and commit once.

Only ONE scheduler may act per database: two schedulers sharing the job store each run every job
(STACK.md measured it with two gunicorn workers). So a scheduler first takes `SchedulerLock` (a
PostgreSQL advisory lock, or a lock file beside the SQLite database) and holds it for its lifetime;
a second `flask scheduler run` stands by, retrying every `SCHEDULER_LOCK_RETRY` seconds, and takes
over when the first one ends. An in-process scheduler that cannot get the lock does not start.
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import time

import click
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import AppGroup, get_debug_flag
from sqlalchemy.pool import NullPool

from .scheduler_lock import SchedulerLock

# APScheduler creates and owns this table; migrations/env.py keeps Alembic away from it.
JOBS_TABLE = "apscheduler_jobs"
DEADLINE_SWEEP = "referrals.deadline_sweep"
RECTIFICATION_SWEEP = "issues.rectification_sweep"
LIAISON_REMINDERS = "liaison.reminders"

# Jobs by "module:function" — a persistent job store can only hold references it can import again.
# (job id, function, cron fields in the deployment's time zone)
JOBS = [
    (DEADLINE_SWEEP, "oversight.referrals.jobs:run_deadline_sweep", {"hour": 6, "minute": 30}),
    (RECTIFICATION_SWEEP, "issues.jobs:run_rectification_sweep", {"hour": 6, "minute": 40}),
    # Reports: queue the runs of admin-set cron schedules, produce queued and crashed runs.
    ("reports.dispatch", "reports.runs:run_dispatch", {"minute": "*"}),
    # Reports: recompute the cached dashboard figures people looked at lately (reports/cache.py).
    ("reports.figures", "reports.cache:run_refresh", {"minute": "*/10"}),
    # Day-before meeting reminders and action-item deadlines (liaison, by name: oversight never imports it).
    (LIAISON_REMINDERS, "liaison.jobs:run_reminders", {"hour": 7, "minute": 0}),
    # The clue form's rate-limit log and spent challenges: forget what no limit looks at any more.
    ("clues.purge", "oversight.clues.jobs:run_purge", {"minute": 17}),
    # Public evaluation: open and close campaigns at their times (reports.evaluation, by name).
    ("evaluation.campaign_clock", "reports.evaluation.jobs:run_campaign_clock", {"minute": "*"}),
    # Supervision models: each enabled model runs when its own cron expression fires.
    ("supervision.dispatch", "oversight.supervision.jobs:run_dispatch", {"minute": "*/5"}),
]
# One run at a time; runs missed while the scheduler was down are folded into one and still run if
# it comes back within the hour (APScheduler's default grace of 1 s would skip them).
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}

_app: Flask | None = None                        # the app whose context jobs run in
_in_process: BackgroundScheduler | None = None   # the web process's own scheduler, once started
_in_process_lock: SchedulerLock | None = None    # held while it runs (dropping it would release it)


def build(app: Flask, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler (not started) whose job store is `app`'s database, with every job of `JOBS` added."""
    global _app
    _app = app
    tz = app.config["TIMEZONE"]
    # No pool: the store is read a few times a day, a fresh connection survives database restarts,
    # and none is left open when the scheduler's thread touches the store after shutdown disposed it.
    store = SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=JOBS_TABLE,
                               engine_options={"poolclass": NullPool})
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        jobstores={"default": store}, timezone=tz, job_defaults=JOB_DEFAULTS)
    # SCHEDULER_JOBS replaces the list (tests, or a deployment that moves a job's time).
    for job_id, func, cron in app.config.get("SCHEDULER_JOBS") or JOBS:
        # A fixed id and replace_existing: restarting the scheduler updates the stored job instead
        # of adding a second copy.
        scheduler.add_job(func, CronTrigger(timezone=tz, **cron), id=job_id, name=job_id,
                          replace_existing=True, **JOB_DEFAULTS)
    return scheduler


def job_app() -> Flask:
    """The app of the scheduler that runs the current job."""
    if _app is None:  # a job started without `build` in this process: build the app as `wsgi` does
        from . import create_app

        return create_app()
    return _app


def start_in_process(app: Flask) -> BackgroundScheduler | None:
    """Start a background scheduler inside this process if it is the one serving requests."""
    global _in_process, _in_process_lock
    if _in_process is not None or app.testing or not _serving_process():
        return None
    lock = SchedulerLock(app)
    if not lock.try_acquire():
        app.logger.warning("scheduler not started in process %d: another scheduler holds the lock", os.getpid())
        return None
    _in_process, _in_process_lock = build(app), lock
    _in_process.start()
    atexit.register(_stop_in_process)
    app.logger.warning("scheduler started in process %d (SCHEDULER_IN_PROCESS)", os.getpid())
    return _in_process


def _serving_process() -> bool:
    """False where a scheduler would be a second one or would never serve: the Werkzeug reloader's
    watching parent (it also builds the app, with WERKZEUG_RUN_MAIN unset) and CLI commands other
    than `flask run` (`flask db upgrade`, `flask scheduler run` …)."""
    run_main = os.environ.get("WERKZEUG_RUN_MAIN")
    if run_main is not None:
        return run_main == "true"  # the reloader's child, which serves
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True  # imported by a WSGI server
    from flask.cli import run_command

    if ctx.command is not run_command:
        return False
    reload = ctx.params.get("reload")
    return not (get_debug_flag() if reload is None else reload)


def _stop_in_process() -> None:
    global _in_process, _in_process_lock
    if _in_process is not None and _in_process.running:
        _in_process.shutdown(wait=False)
    if _in_process_lock is not None:
        _in_process_lock.release()
    _in_process = _in_process_lock = None


scheduler_cli = AppGroup("scheduler", help="Scheduled jobs.")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in this process until interrupted; a second one stands by until the first ends."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    # A service manager stops us with SIGTERM: leave like Ctrl-C does, letting a running job finish.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    lock = SchedulerLock(app)
    if not lock.try_acquire():
        click.echo(f"another scheduler holds the lock; standing by (pid {os.getpid()})")
        try:
            while not lock.try_acquire():
                time.sleep(app.config.get("SCHEDULER_LOCK_RETRY", 15))
        except (KeyboardInterrupt, SystemExit):
            return
    click.echo(f"scheduler lock taken (pid {os.getpid()})")
    scheduler = build(app, blocking=True)
    click.echo("scheduler running (Ctrl-C to stop); jobs: " + ", ".join(job_id for job_id, *_ in JOBS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown()
    finally:
        lock.release()
