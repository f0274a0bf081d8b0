"""Read-only: models with their precision, recent runs, alerts by filter (keyset pages)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..db import db
from .models import Alert, ModelRun, SupervisionModel
from .workflow import AlertState, Severity


@dataclass(frozen=True)
class Precision:
    """Decided alerts of a model: confirmed (incl. converted) vs dismissed; precision = confirmed ÷ decided."""
    confirmed: int
    dismissed: int
    open: int

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def rate(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None


def precision_by_model() -> dict[int, Precision]:
    counts: dict[int, dict[str, int]] = {}
    for model_id, state, n in db.session.execute(
            sa.select(Alert.model_id, Alert.state, sa.func.count()).group_by(Alert.model_id, Alert.state)):
        counts.setdefault(model_id, {})[AlertState(state).value] = n
    return {m: Precision(c.get("confirmed", 0) + c.get("converted", 0), c.get("dismissed", 0), c.get("new", 0))
            for m, c in counts.items()}


def models() -> list[SupervisionModel]:
    return list(db.session.scalars(sa.select(SupervisionModel).order_by(SupervisionModel.key)))


def last_runs() -> dict[int, ModelRun]:
    latest = sa.select(sa.func.max(ModelRun.id)).group_by(ModelRun.model_id)
    return {r.model_id: r for r in db.session.scalars(sa.select(ModelRun).where(ModelRun.id.in_(latest)))}


def recent_runs(model_id: int | None = None, limit: int = 30) -> list[ModelRun]:
    stmt = sa.select(ModelRun).order_by(ModelRun.id.desc()).limit(limit)
    if model_id:
        stmt = stmt.where(ModelRun.model_id == model_id)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Filters:
    model_id: int | None = None
    state: AlertState | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Alert]
    more: bool
    next_cursor: str | None


def alerts(f: Filters, *, after: str | None = None, limit: int = 50) -> Page:
    """Alerts newest first, keyset on id (the indexes lead with state or model, then id)."""
    stmt = sa.select(Alert).order_by(Alert.id.desc())
    if f.model_id:
        stmt = stmt.where(Alert.model_id == f.model_id)
    if f.state:
        stmt = stmt.where(Alert.state == f.state)
    if f.severity:
        stmt = stmt.where(Alert.severity == f.severity)
    if after and after.isdigit():
        stmt = stmt.where(Alert.id < int(after))
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, more, str(rows[-1].id) if more else None)


def counts_by_state() -> dict[str, int]:
    return {AlertState(s).value: n for s, n in
            db.session.execute(sa.select(Alert.state, sa.func.count()).group_by(Alert.state))}
