"""Demo: every built-in model enabled and run once for yesterday, so the demo has alerts to work on."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..db import db
from ..workdays import today
from . import runs, services
from .models import Alert, SupervisionModel


def load_alerts() -> int:
    """Enable the built-ins and run them once; the number of alerts raised (0 if models ran before).
    Commits (each run is its own entry point: its row first, then its alerts)."""
    services.ensure_builtins()
    for model in db.session.scalars(sa.select(SupervisionModel).where(SupervisionModel.reviewed,
                                                                      SupervisionModel.enabled.is_(False))):
        services.set_enabled(model, actor=None, enabled=True)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Alert))
    runs.run_all((today() - dt.timedelta(days=1)).isoformat(), trigger="demo")
    return db.session.scalar(sa.select(sa.func.count()).select_from(Alert)) - before
