"""The scheduled runs: every enabled model runs when its own cron expression fires, for the day before."""
from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import sqlalchemy as sa
from flask import current_app

from ..db import commit, db, utcnow
from . import services
from .models import ModelRun, SupervisionModel
from .runs import run_model

log = logging.getLogger(__name__)


def period_for_fire(fire: dt.datetime) -> str:
    """A scheduled run screens up to the last full day before its fire (local time)."""
    local = fire.astimezone(zoneinfo.ZoneInfo(current_app.config["TIMEZONE"]))
    return (local.date() - dt.timedelta(days=1)).isoformat()


def dispatch(now: dt.datetime | None = None) -> list[ModelRun]:
    """The scheduler's job: for every enabled model whose cron fired since it was last checked, run it for
    the period that fire closes (only the latest fire if several were missed)."""
    now = now or utcnow()
    runs = []
    for model in db.session.scalars(sa.select(SupervisionModel).where(SupervisionModel.enabled)
                                    .order_by(SupervisionModel.id)).all():
        try:
            trigger = services.cron_trigger(model.cron)
        except Exception:
            log.exception("supervision model %s has a bad schedule", model.key)
            continue
        fire, last = None, trigger.get_next_fire_time(None, model.checked_until)
        while last is not None and last <= now:
            fire = last
            last = trigger.get_next_fire_time(last, last + dt.timedelta(seconds=1))
        if fire is None:
            continue
        model.checked_until = now
        commit()
        try:
            runs.append(run_model(model, period_for_fire(fire), trigger="schedule"))
        except Exception:
            db.session.rollback()
            log.exception("supervision model %s could not start", model.key)
    return runs


def run_dispatch() -> None:
    """The scheduler's job (`supervision.dispatch` in oversight/scheduler.py)."""
    from ..scheduler import job_app

    with job_app().app_context():
        dispatch()
