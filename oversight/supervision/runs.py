"""Running models: one recorded run per (model, period), idempotent, a failure kept on its run.

`run_model` is an entry point (the CLI, the admin's button and the scheduler's job call it), so it
commits: first the run row — the unique (model, period) key makes a second scheduler or a retry find it
instead of running twice — then the alerts and the outcome together. A model function that raises marks
its own run failed with the error text; `run_all` and `dispatch` go on with the other models.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..audit import services as audit
from ..db import commit, db, utcnow
from . import registry, services
from .models import Alert, ModelRun, RunStatus, SupervisionModel
from .workflow import AlertState

log = logging.getLogger(__name__)
RUNS = ModelRun.__table__


def fingerprint(model_key: str, evidence_key: str) -> str:
    """Stable across runs and deployments: the model and what the hit is about."""
    return hashlib.sha256(f"{model_key}\n{evidence_key}".encode()).hexdigest()


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(current_app.config.get("SUPERVISION_RUN_LEASE_SECONDS", 3600)))


def _claim(model: SupervisionModel, period_key: str, trigger: str, actor) -> tuple[ModelRun, bool]:
    """The run row for (model, period) and whether this call holds it. Commits."""
    run = db.session.scalar(sa.select(ModelRun).where(ModelRun.model_id == model.id, ModelRun.period_key == period_key))
    now = utcnow()
    if run is None:
        run = ModelRun(model_id=model.id, period_key=period_key, status=RunStatus.RUNNING, trigger=trigger,
                       requested_by_id=getattr(actor, "id", None), params=dict(model.params or {}), started_at=now)
        db.session.add(run)
        try:
            commit_raw()
        except IntegrityError:   # another process created it first: theirs
            db.session.rollback()
            return db.session.scalar(sa.select(ModelRun).where(ModelRun.model_id == model.id,
                                                               ModelRun.period_key == period_key)), False
        return run, True
    # A failed run is retried; a running one whose holder went silent past the lease crashed.
    taken = db.session.execute(
        sa.update(RUNS).where(RUNS.c.id == run.id, sa.or_(
            RUNS.c.status == RunStatus.FAILED.value,
            sa.and_(RUNS.c.status == RunStatus.RUNNING.value, RUNS.c.started_at < now - lease())))
        .values(status=RunStatus.RUNNING.value, attempts=RUNS.c.attempts + 1, started_at=now, error=None,
                finished_at=None, trigger=trigger, requested_by_id=getattr(actor, "id", None),
                params=dict(model.params or {}))).rowcount
    commit_raw()
    db.session.refresh(run)
    return run, taken == 1


def commit_raw() -> None:
    db.session.commit()


def run_model(model: SupervisionModel, period_key: str, *, trigger: str = "manual", actor=None) -> ModelRun:
    """Run `model` over the period once. A finished (model, period) is not run again: its run is returned."""
    period = registry.Period.parse(period_key)
    fn = services.function_of(model)
    params = fn.validate(dict(model.params or {}))
    run, mine = _claim(model, period.key, trigger, actor)
    if not mine:
        return run
    run_id, model_id, model_key = run.id, model.id, model.key
    started = time.perf_counter()
    try:
        hits = fn.fn(registry.Context(db.session), params, period)
        new = record_hits(model_id, model_key, run_id, hits)
    except Exception as exc:  # the model's own failure: recorded on its run, the caller goes on
        db.session.rollback()
        log.exception("supervision model %s failed for %s", model_key, period.key)
        error = f"{type(exc).__name__}: {exc}"[:4000]
        db.session.execute(sa.update(RUNS).where(RUNS.c.id == run_id).values(
            status=RunStatus.FAILED.value, error=error, finished_at=utcnow(),
            seconds=time.perf_counter() - started))
        audit.record("supervision_run.fail", actor=actor, object_type="supervision_runs", object_id=run_id,
                     summary={"model": model_key, "period": period.key, "error": error[:500]})
        commit()
        return db.session.get(ModelRun, run_id)
    run = db.session.get(ModelRun, run_id)
    run.status, run.hits, run.new_alerts = RunStatus.SUCCEEDED, len(hits), new
    run.finished_at, run.seconds = utcnow(), time.perf_counter() - started
    audit.record("supervision_run.finish", actor=actor, obj=run,
                 summary={"model": model_key, "period": period.key, "hits": len(hits), "new_alerts": new})
    commit()
    return run


def record_hits(model_id: int, model_key: str, run_id: int, hits: list[registry.Hit]) -> int:
    """Raise an alert per new fingerprint; refresh undecided ones seen again. Returns how many are new. Flushes."""
    by_print = {fingerprint(model_key, h.key): h for h in hits}
    existing = {a.fingerprint: a for a in db.session.scalars(
        sa.select(Alert).where(Alert.model_id == model_id, Alert.fingerprint.in_(list(by_print))))} if by_print else {}
    new = 0
    for fp, hit in by_print.items():
        evidence = [e.as_dict() for e in hit.evidence]
        alert = existing.get(fp)
        if alert is None:
            db.session.add(Alert(model_id=model_id, fingerprint=fp, evidence_key=hit.key[:200], title=hit.title[:200],
                                 detail=hit.detail, severity=hit.severity, evidence=evidence, state=AlertState.NEW,
                                 scope_org_id=hit.scope_org_id, first_run_id=run_id, last_run_id=run_id))
            new += 1
            continue
        alert.last_run_id, alert.seen_count = run_id, alert.seen_count + 1
        if alert.state is AlertState.NEW:  # what staff have decided on stays as they saw it
            alert.title, alert.detail, alert.severity, alert.evidence = hit.title[:200], hit.detail, hit.severity, evidence
            alert.scope_org_id = hit.scope_org_id   # the evidence as it now stands decides who sees it
    db.session.flush()
    return new


def run_all(period_key: str, *, trigger: str = "manual", actor=None) -> list[ModelRun]:
    """Every enabled model over the period; one failing model does not stop the others."""
    runs = []
    ids = list(db.session.scalars(sa.select(SupervisionModel.id).where(SupervisionModel.enabled)
                                  .order_by(SupervisionModel.id)))
    for model_id in ids:
        model = db.session.get(SupervisionModel, model_id)
        try:
            runs.append(run_model(model, period_key, trigger=trigger, actor=actor))
        except Exception:  # a bad period or parameters: logged; the next model still runs
            db.session.rollback()
            log.exception("supervision model %s could not start", model_id)
    return runs
