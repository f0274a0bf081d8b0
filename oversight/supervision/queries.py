"""Read-only: models with their precision, recent runs, alerts by filter (keyset pages).

What a user reads about alerts goes through `visible`: an alert is seen by system administrators and by
the users whose scope (their committee's subtree, `orgs.queries.in_scope`) holds its scope committee."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..db import db
from ..orgs.queries import in_scope
from . import permissions
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


def visible(stmt: sa.Select, user) -> sa.Select:
    """`stmt` over alerts restricted to those `user` may see (None: no restriction, for jobs and the CLI)."""
    if user is None or permissions.sees_all_alerts(user):
        return stmt
    return stmt.where(in_scope(Alert.scope_org_id, user=user))


def precision_by_model(user=None) -> dict[int, Precision]:
    """Per model, over the alerts `user` sees (every alert for an administrator, or with no user)."""
    counts: dict[int, dict[str, int]] = {}
    for model_id, state, n in db.session.execute(visible(
            sa.select(Alert.model_id, Alert.state, sa.func.count()).group_by(Alert.model_id, Alert.state), user)):
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


def alerts(f: Filters, *, user=None, after: str | None = None, limit: int = 50) -> Page:
    """Alerts `user` sees, newest first, keyset on id (the indexes lead with state, model or scope, then id)."""
    stmt = visible(sa.select(Alert).order_by(Alert.id.desc()), user)
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


def counts_by_state(user=None) -> dict[str, int]:
    return {AlertState(s).value: n for s, n in
            db.session.execute(visible(sa.select(Alert.state, sa.func.count()).group_by(Alert.state), user))}


def get_visible(alert_id: int, user) -> Alert | None:
    """The alert, if `user` may see it (None otherwise: the page answers 404, as for other packages)."""
    alert = db.session.get(Alert, alert_id)
    return alert if alert is not None and permissions.can_view(user, alert) else None
