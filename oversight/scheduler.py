"""The scheduler: APScheduler 3 with its jobs kept in the application's database.

Production runs it as its own process, `flask scheduler run`; the embedded single-process default
may start it inside the web process instead (`SCHEDULER_IN_PROCESS`, which `scripts/run` sets for
`flask run`). Jobs are thin: they push an app context, call services and commit once.

Only ONE scheduler may run per database: two schedulers sharing the job store each run every job
(STACK.md measured it with two gunicorn workers). So never enable the in-process scheduler under
gunicorn, and never run `flask scheduler run` beside it. Electing a single scheduler with a
PostgreSQL advisory lock is a later issue; until then the deadline sweep's per-date bookkeeping
keeps a double run from sending reminders twice, but not every future job will be that forgiving.
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import sys

import click
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import AppGroup, get_debug_flag
from sqlalchemy.pool import NullPool

# APScheduler creates and owns this table; migrations/env.py keeps Alembic away from it.
JOBS_TABLE = "apscheduler_jobs"
DEADLINE_SWEEP = "referrals.deadline_sweep"
LIAISON_REMINDERS = "liaison.reminders"

# Jobs by "module:function" — a persistent job store can only hold references it can import again.
# (job id, function, cron fields in the deployment's time zone)
JOBS = [
    (DEADLINE_SWEEP, "oversight.referrals.jobs:run_deadline_sweep", {"hour": 6, "minute": 30}),
    # Day-before meeting reminders and action-item deadlines (liaison, by name: oversight never imports it).
    (LIAISON_REMINDERS, "liaison.jobs:run_reminders", {"hour": 7, "minute": 0}),
]
# One run at a time; runs missed while the scheduler was down are folded into one and still run if
# it comes back within the hour (APScheduler's default grace of 1 s would skip them).
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}

_app: Flask | None = None                        # the app whose context jobs run in
_in_process: BackgroundScheduler | None = None   # the web process's own scheduler, once started


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
    for job_id, func, cron in JOBS:
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
    global _in_process
    if _in_process is not None or app.testing or not _serving_process():
        return None
    _in_process = build(app)
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
    global _in_process
    if _in_process is not None and _in_process.running:
        _in_process.shutdown(wait=False)
    _in_process = None


scheduler_cli = AppGroup("scheduler", help="Scheduled jobs.")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in this process until interrupted. Run exactly one per deployment."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = build(current_app._get_current_object(), blocking=True)
    # A service manager stops us with SIGTERM: leave like Ctrl-C does, letting a running job finish.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo("scheduler running (Ctrl-C to stop); jobs: " + ", ".join(job_id for job_id, *_ in JOBS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        if scheduler.running:
            scheduler.shutdown()
