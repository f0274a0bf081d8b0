"""Producing a report exactly once per (report, period), even with two schedulers and crashes.

1. **Claim**: one conditional UPDATE turns a queued run — or one whose holder went silent past its
   lease (a crash), or a failed one with attempts left — into `running` under a fresh token, and
   commits. Of two schedulers, only one UPDATE matches.
2. **Produce** the data, PDF and XLSX outside any transaction, renewing the lease as it goes.
3. **Finish**: store the files and record deliveries only `WHERE claim = token`, in one commit. A
   holder that lost its claim (it was presumed dead and the run was taken over) finishes nothing.

These functions are entry points (the scheduler's job and the CLI call them), so they commit.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext as _

from oversight.audit import services as audit
from oversight.db import commit, db, utcnow
from oversight.notifications.services import notify
from oversight.referrals.models import Classification

from . import definitions, permissions, rendering
from .models import ReportDelivery, ReportRun, ReportSchedule, RunStatus
from .services import queue_due_schedules
from .statistics import Period

log = logging.getLogger(__name__)
RUNS = ReportRun.__table__


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(current_app.config.get("REPORTS_RUN_LEASE_SECONDS", 900)))


def max_attempts() -> int:
    return int(current_app.config.get("REPORTS_MAX_ATTEMPTS", 3))


def claimable(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(RUNS.c.status == RunStatus.QUEUED.value,
                  sa.and_(RUNS.c.status == RunStatus.RUNNING.value, RUNS.c.lease_until < now),
                  sa.and_(RUNS.c.status == RunStatus.FAILED.value, RUNS.c.attempts < max_attempts()))


def claim(run_id: int) -> str | None:
    """Take the run; its token, or None when someone else holds it or it is done. Commits."""
    now, token = utcnow(), uuid.uuid4().hex
    taken = db.session.execute(
        sa.update(RUNS).where(RUNS.c.id == run_id, claimable(now))
        .values(status=RunStatus.RUNNING.value, claim=token, attempts=RUNS.c.attempts + 1, lease_until=now + lease(),
                started_at=now, error=None, progress=_("开始生成"))).rowcount
    commit()
    return token if taken == 1 else None


def _progress(run_id: int, token: str, text: str) -> None:
    """Say how far the run is and renew the lease, if we still hold it. Commits."""
    db.session.execute(sa.update(RUNS).where(RUNS.c.id == run_id, RUNS.c.claim == token)
                       .values(progress=text[:100], lease_until=utcnow() + lease()))
    commit()


def execute(run_id: int) -> bool:
    """Claim and produce one run; True if this call produced the report."""
    token = claim(run_id)
    if token is None:
        return False
    run = db.session.get(ReportRun, run_id)
    definition = definitions.get(run.report)
    period = Period.parse(definition.kind, run.period_key)
    try:
        with force_locale("zh_CN"):
            if run.organisation is None:  # a run from before reports had a scope: never the whole system
                raise ValueError("report run has no organisation")
            _progress(run_id, token, _("计算统计数据"))
            data = definition.data(period, run.organisation)
            if run.classification is Classification.PUBLIC:
                # A report declared 公开 (it may be published on the portal) must not say 内部资料 on its cover.
                data["classification"] = _("公开")
            # End the read transaction before the long rendering: on SQLite it holds the write lock.
            db.session.rollback()
            _progress(run_id, token, _("生成 PDF"))
            pdf = rendering.pdf(definition, period, data)
            _progress(run_id, token, _("生成 Excel"))
            xlsx = rendering.xlsx(definition, period, data)
            return finish(run_id, token, pdf, xlsx)
    except Exception as exc:  # recorded on the run for the runs page, then retried up to the limit
        db.session.rollback()
        log.exception("report run %s failed", run_id)
        db.session.execute(sa.update(RUNS).where(RUNS.c.id == run_id, RUNS.c.claim == token)
                           .values(status=RunStatus.FAILED.value, error=f"{type(exc).__name__}: {exc}"[:2000],
                                   finished_at=utcnow(), claim=None, progress=""))
        commit()
        return False


def finish(run_id: int, token: str, pdf: bytes, xlsx: bytes) -> bool:
    """Store the files and deliver, only if the claim is still ours. One commit."""
    done = db.session.execute(
        sa.update(RUNS).where(RUNS.c.id == run_id, RUNS.c.claim == token, RUNS.c.status == RunStatus.RUNNING.value)
        .values(status=RunStatus.SUCCEEDED.value, pdf=pdf, xlsx=xlsx, pdf_size=len(pdf), xlsx_size=len(xlsx),
                finished_at=utcnow(), progress=_("已完成"), lease_until=None)).rowcount
    if done != 1:
        db.session.rollback()
        return False
    run = db.session.get(ReportRun, run_id)
    db.session.refresh(run)
    delivered = deliver(run)
    audit.record("report.produced", actor=None, obj=run,
                 summary={"report": run.report, "period": run.period_key, "attempts": run.attempts,
                          "recipients": delivered})
    commit()
    return True


def deliver(run: ReportRun) -> int:
    """Tell the schedule's recipients (those still cleared for the classification and able to see the
    run's organisation's work). Flushes."""
    schedule = db.session.scalar(sa.select(ReportSchedule).where(ReportSchedule.report == run.report))
    if schedule is None or schedule.organisation_id != run.organisation_id:
        return 0
    definition = definitions.get(run.report)
    period = Period.parse(definition.kind, run.period_key)
    count = 0
    for user in schedule.recipients:
        if not permissions.can_receive_for(user, run.classification, run.organisation):
            continue
        db.session.add(ReportDelivery(run_id=run.id, user_id=user.id, emailed=bool(user.email and
                                                                                  current_app.config.get("MAIL_SERVER"))))
        notify(user, kind="report", title=_("报告已生成：%(p)s%(r)s", p=period.label, r=definition.title),
               body=_("请在报告归档中下载 PDF 和 Excel。"), link=f"/reports/archive/{run.id}")
        count += 1
    db.session.flush()
    return count


def dispatch(now: dt.datetime | None = None) -> dict[str, int]:
    """What the scheduler runs every minute: queue the runs of cron fires, then produce every run that
    is queued, crashed (lease expired) or failed with attempts left."""
    queue_due_schedules(now)
    commit()
    now = utcnow()
    ids = list(db.session.scalars(sa.select(RUNS.c.id).where(claimable(now)).order_by(RUNS.c.id)))
    produced = sum(1 for run_id in ids if execute(run_id))
    return {"candidates": len(ids), "produced": produced}


def run_dispatch() -> None:
    """The scheduler's job (`reports.jobs` in oversight/scheduler.py)."""
    from oversight.scheduler import job_app

    with job_app().app_context():
        dispatch()
