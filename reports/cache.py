"""Cached dashboard figures: each statistics section per (scope, period, language) in the database.

Computing a dashboard's figures reads every item of the period (≈2.5 s at 200,000 referrals); the
figures change slowly and a dashboard is opened often. They are kept in `report_figures`, not in
the memory of a web worker: with several gunicorn workers (and hosts) an in-process cache would
compute the same figures once per worker, show different "数据更新于" times depending on which
worker answered, and could not be refreshed on demand for all of them. The table is shared, so the
figures one worker (or the `reports.figures` job) computed are the ones every worker shows.

A row older than REPORTS_FIGURES_MAX_AGE seconds is recomputed when requested; the job recomputes,
ahead of the next viewer, the rows requested within REPORTS_FIGURES_KEEP_DAYS, and deletes the rest.
The rows are written on a connection of their own in a short transaction, so a dashboard (a GET)
never holds a write lock while it computes.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale

from oversight.db import db, utcnow

from .charts import table_chart
from .models import CachedFigures
from .statistics import Period, Scope, compute, section_keys
from .statistics.figures import Rate, Row, Section, Table

log = logging.getLogger(__name__)
KEY_COLUMNS = ("scope_key", "period_kind", "period_key", "section", "locale")


# --- sections as JSON ---------------------------------------------------------------------------

def _value(v):
    if isinstance(v, Rate):
        return {"rate": [v.numerator, v.denominator, v.minimum]}
    if v is None or isinstance(v, (int, float)):
        return v
    return str(v)


def _unvalue(v):
    if isinstance(v, dict) and "rate" in v:
        return Rate(*v["rate"])
    return v


def dump(section: Section) -> str:
    return json.dumps({
        "key": section.key, "title": str(section.title), "note": str(section.note or ""),
        "tables": [{"key": t.key, "title": str(t.title), "columns": [str(c) for c in t.columns],
                    "label_column": str(t.label_column), "chart": t.chart, "svg": table_chart(t),
                    "rows": [{"label": str(r.label), "values": [_value(v) for v in r.values], "href": r.href,
                              "figure": r.figure} for r in t.rows]} for t in section.tables]},
        ensure_ascii=False)


def load(payload: str) -> tuple[Section, dict[str, str | None]]:
    data = json.loads(payload)
    tables, charts = [], {}
    for t in data["tables"]:
        tables.append(Table(t["key"], t["title"], t["columns"],
                            [Row(r["label"], [_unvalue(v) for v in r["values"]], r["href"], r["figure"])
                             for r in t["rows"]], t["label_column"], t["chart"]))
        charts[t["key"]] = t["svg"]
    return Section(data["key"], data["title"], tables, data["note"]), charts


# --- reading and refreshing -----------------------------------------------------------------------

@dataclass
class Cached:
    sections: list[Section]
    charts: dict[str, str | None]
    computed_at: dt.datetime | None     # the oldest section's


def locale() -> str:
    return str(get_locale() or "zh_CN")


def figures(period: Period, scope: Scope, *, refresh: bool = False, detached: bool = False) -> Cached:
    """Every section for (period, scope) in the current language: from the table while fresh,
    otherwise computed now and stored. `refresh` recomputes them all. `detached` (a dashboard's
    GET) stores them on a connection of their own instead of in the session's transaction."""
    lang, now = locale(), utcnow()
    max_age = dt.timedelta(seconds=current_app.config["REPORTS_FIGURES_MAX_AGE"])
    rows = {} if refresh else {r.section: r for r in db.session.scalars(sa.select(CachedFigures).where(
        CachedFigures.scope_key == scope.key, CachedFigures.period_kind == period.kind.value,
        CachedFigures.period_key == period.key, CachedFigures.locale == lang))}
    sections, charts, oldest = [], {}, None
    touched = []
    for key in section_keys():
        row = rows.get(key)
        if row is not None and now - row.computed_at <= max_age:
            section, svgs = load(row.payload)
            computed_at = row.computed_at
            if now - row.requested_at > dt.timedelta(hours=1):
                touched.append(row.id)
        else:
            started = time.perf_counter()
            found = compute(period, scope, only=[key]).sections
            if not found:
                continue
            section = found[0]
            payload = dump(section)
            section, svgs = load(payload)
            computed_at = now
            _store(scope.key, period, key, lang, payload, now, int((time.perf_counter() - started) * 1000),
                   detached)
        sections.append(section)
        charts.update(svgs)
        oldest = computed_at if oldest is None or computed_at < oldest else oldest
    if touched:
        _write(sa.update(CachedFigures).where(CachedFigures.id.in_(touched)).values(requested_at=now), detached)
    return Cached(sections, charts, oldest)


def _store(scope_key: str, period: Period, section: str, lang: str, payload: str, now: dt.datetime,
           ms: int, detached: bool) -> None:
    values = {"scope_key": scope_key, "period_kind": period.kind.value, "period_key": period.key,
              "section": section, "locale": lang, "payload": payload, "computed_at": now, "requested_at": now,
              "compute_ms": ms}
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(CachedFigures.__table__).values(**values)
    # Two workers computing the same figures at once: the later one's row wins, both are correct.
    stmt = stmt.on_conflict_do_update(index_elements=list(KEY_COLUMNS), set_={
        "payload": stmt.excluded.payload, "computed_at": stmt.excluded.computed_at,
        "requested_at": stmt.excluded.requested_at, "compute_ms": stmt.excluded.compute_ms})
    _write(stmt, detached)


def _write(stmt, detached: bool) -> None:
    """A dashboard (GET) writes on a connection of its own, committed at once, so that it never holds
    a write lock while it computes; a failure only costs the cache, not the page. A POST and the job
    already hold the write lock (SQLite's BEGIN IMMEDIATE): they write in their own transaction."""
    if detached:
        try:
            with db.engine.begin() as conn:
                conn.execute(stmt)
        except sa.exc.OperationalError as exc:  # e.g. SQLite busy past its timeout
            log.warning("cached figures not stored: %s", exc)
        return
    db.session.execute(stmt)
    db.session.commit()


# --- the job ----------------------------------------------------------------------------------------

def scope_from_key(key: str) -> Scope | None:
    """The scope a cached row was computed for, or None when its user or organisation is gone."""
    from oversight.accounts.models import User
    from oversight.orgs.models import Organisation

    kind, org, user, deputy = key.split(":")
    org_id, user_id, deputy_id = (int(part[1:]) if part[1:] else None for part in (org, user, deputy))
    person = db.session.get(User, user_id) if user_id else None
    if kind == "everything":
        return Scope.everything()
    if kind == "user":
        return Scope.for_user(person) if person is not None and person.active else None
    if kind == "organisation":
        organisation = db.session.get(Organisation, org_id) if org_id else None
        if organisation is None or (user_id and (person is None or not person.active)):
            return None
        return Scope.for_organisation(organisation, person)
    if kind == "deputy":
        deputy_user = db.session.get(User, deputy_id) if deputy_id else None
        return Scope.for_deputy(deputy_user) if deputy_user is not None else None
    return None


def refresh_requested(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> dict:
    """Recompute the rows requested lately (older than `older_than`); delete those nobody asked for."""
    from .statistics import PeriodKind

    now = utcnow()
    keep = now - dt.timedelta(days=current_app.config["REPORTS_FIGURES_KEEP_DAYS"])
    deleted = db.session.execute(sa.delete(CachedFigures).where(CachedFigures.requested_at < keep)).rowcount
    db.session.commit()
    stale = db.session.execute(
        sa.select(CachedFigures.scope_key, CachedFigures.period_kind, CachedFigures.period_key,
                  CachedFigures.locale).where(CachedFigures.computed_at < now - older_than)
        .group_by(CachedFigures.scope_key, CachedFigures.period_kind, CachedFigures.period_key,
                  CachedFigures.locale)).all()
    refreshed = 0
    for scope_key, kind, period_key, lang in stale:
        scope = scope_from_key(scope_key)
        if scope is None:
            continue
        with current_app.test_request_context(), force_locale(lang):  # drill-down links need a request
            figures(Period.parse(PeriodKind(kind), period_key), scope, refresh=True)
        db.session.rollback()  # end the read transaction between scopes
        refreshed += 1
    return {"refreshed": refreshed, "deleted": deleted}


def run_refresh() -> None:
    """The scheduled job `reports.figures`."""
    from oversight.scheduler import job_app

    app = job_app()
    with app.app_context():
        result = refresh_requested()
        app.logger.info("report figures refreshed: %s", result)
