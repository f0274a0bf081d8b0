"""Use cases for schedules and runs. They check, change state, write the audit log and flush; the
entry point (view, CLI, job) commits. The run protocol itself (claim, produce, finish) is in
`runs.py`, because it must commit between its steps."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import NotAllowed, ValidationFailed
from oversight.orgs.permissions import SUPERVISING_KINDS, institution_of
from oversight.referrals import labels
from oversight.referrals.models import Classification
from oversight.workdays import today

from . import definitions, permissions
from .models import ReportRun, ReportSchedule, RunStatus
from .statistics import Period
from .statistics.periods import zone


def cron_trigger(expression: str) -> CronTrigger:
    """The trigger of a five-field cron expression in Asia/Shanghai; a Chinese error when invalid."""
    text = " ".join((expression or "").split())
    if len(text.split(" ")) != 5:
        raise ValidationFailed(_("定时表达式“%(c)s”无效：应为 5 段（分 时 日 月 星期），例如 0 7 1 * *。", c=expression),
                               field="cron")
    try:
        return CronTrigger.from_crontab(text, timezone=zone())
    except ValueError as exc:
        raise ValidationFailed(_("定时表达式“%(c)s”无效：%(e)s。例如 0 7 1 * * 表示每月 1 日 7:00。",
                                 c=expression, e=str(exc)), field="cron") from None


def report_organisation(actor, organisation=None):
    """The institution a report covers: the one chosen, or the actor's own institution."""
    org = organisation if organisation is not None else institution_of(actor.organisation)
    if org.kind not in SUPERVISING_KINDS:
        raise ValidationFailed(_("报告范围必须是人大常委会或检察院。"), field="organisation")
    return org


def save_schedule(report_key: str, *, actor, cron: str, classification: Classification, recipients: list,
                  active: bool = True, organisation=None) -> ReportSchedule:
    """Create or change the schedule of a report over one institution (default: the actor's). Every
    recipient must be cleared for its classification and able to see that institution's work."""
    if not permissions.can_manage_reports(actor):
        raise NotAllowed(_("只有系统管理员可以设置报告计划。"))
    definition = definitions.get(report_key)
    org = report_organisation(actor, organisation)
    cron = " ".join(cron.split())
    cron_trigger(cron)
    refused = [u for u in recipients if not permissions.can_receive_for(u, classification, org)]
    if refused:
        raise ValidationFailed(_("接收人 %(names)s 无权接收“%(level)s”级别的报告，请移除或调整报告密级。",
                                 names="、".join(u.display_name for u in refused),
                                 level=labels.classification(classification)), field="recipients")
    schedule = db.session.scalar(sa.select(ReportSchedule).where(ReportSchedule.report == definition.key))
    if schedule is None:
        schedule = ReportSchedule(report=definition.key, checked_until=utcnow())
        db.session.add(schedule)
    schedule.cron, schedule.classification, schedule.active = cron, classification, active
    schedule.organisation = org
    schedule.recipients = list(recipients)
    audit.record("report.schedule_saved", actor=actor, obj=schedule,
                 summary={"report": definition.key, "cron": cron, "classification": classification.value,
                          "organisation": org.id,
                          "active": active, "recipients": sorted(u.id for u in recipients)})
    db.session.flush()
    return schedule


def request_run(report_key: str, period_key: str, *, actor, organisation=None,
                on: dt.date | None = None) -> ReportRun:
    """Queue a report for a period now (an administrator's 立即生成). A period that has not begun is
    refused; a period already produced is refused (the archive has it); a failed one is queued again."""
    if not permissions.can_manage_reports(actor):
        raise NotAllowed(_("只有系统管理员可以立即生成报告。"))
    definition = definitions.get(report_key)
    org = report_organisation(actor, organisation)
    period = Period.parse(definition.kind, period_key)
    if period.is_future(on or today()):
        raise ValidationFailed(_("周期 %(p)s 尚未开始，不能生成报告。", p=period.key), field="period")
    run = queue_run(definition.key, period, org, trigger="manual", requested_by=actor)
    if run.status is RunStatus.SUCCEEDED:
        raise ValidationFailed(_("%(p)s 的“%(r)s”已经生成，请在报告归档中下载。", p=period.label, r=definition.title),
                               field="period")
    if run.status is RunStatus.FAILED:
        run.status, run.attempts, run.error = RunStatus.QUEUED, 0, None
    audit.record("report.run_requested", actor=actor, obj=run,
                 summary={"report": run.report, "period": run.period_key, "organisation": org.id})
    db.session.flush()
    return run


def queue_run(report_key: str, period: Period, organisation, *, trigger: str, requested_by=None) -> ReportRun:
    """The run of (report, period, organisation): the existing row, or a new queued one. Two callers
    racing for the same key both end up with the one row (the unique constraint decides)."""
    existing = _run(report_key, period.key, organisation.id)
    if existing is not None:
        return existing
    schedule = db.session.scalar(sa.select(ReportSchedule).where(ReportSchedule.report == report_key))
    run = ReportRun(report=report_key, period_key=period.key, organisation_id=organisation.id,
                    status=RunStatus.QUEUED, trigger=trigger, requested_by_id=requested_by.id if requested_by else None,
                    classification=schedule.classification if schedule else Classification.INTERNAL)
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        return _run(report_key, period.key, organisation.id)
    return run


def _run(report_key: str, period_key: str, organisation_id: int) -> ReportRun | None:
    return db.session.scalar(sa.select(ReportRun).where(ReportRun.report == report_key,
                                                        ReportRun.period_key == period_key,
                                                        ReportRun.organisation_id == organisation_id))


def queue_due_schedules(now: dt.datetime | None = None) -> list[ReportRun]:
    """Turn every cron fire since the last check into a queued run for the period that fire closes
    (the month before a fire on the 1st, the week before a Monday fire …)."""
    now = now or utcnow()
    runs = []
    for schedule in db.session.scalars(sa.select(ReportSchedule).where(ReportSchedule.active.is_(True))):
        try:
            trigger = cron_trigger(schedule.cron)
        except ValidationFailed:
            continue  # validated when saved; a hand-edited row must not stop the other schedules
        fire = trigger.get_next_fire_time(None, schedule.checked_until.astimezone(zone()))
        last = None
        while fire is not None and fire <= now:
            last = fire
            fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
        if last is not None and schedule.organisation is not None:  # an old schedule without scope: nothing
            definition = definitions.get(schedule.report)
            period = Period.containing(definition.kind, last.astimezone(zone()).date()).previous()
            runs.append(queue_run(definition.key, period, schedule.organisation, trigger="schedule"))
        # A plain UPDATE, not the versioned ORM write: two schedulers checking at once must not
        # collide here — the run's unique key already makes their fires one run.
        db.session.execute(sa.update(ReportSchedule.__table__).where(ReportSchedule.__table__.c.id == schedule.id)
                           .values(checked_until=now))
    db.session.flush()
    return runs
