"""Report runs (with 立即生成 for a chosen period), schedules and recipients, and the archive."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.audit import services as audit
from oversight.db import commit, db, writes_on_get
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import institution_of
from oversight.referrals import labels
from oversight.referrals.queries import institutions
from oversight.referrals.models import Classification
from oversight.web.forms import apply_errors

from . import definitions, permissions, queries, services
from .forms import RunNowForm, ScheduleForm
from .models import ReportRun, RunStatus
from .statistics import Period

bp = Blueprint("report_runs", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def status_label(status: RunStatus) -> str:
    return {RunStatus.QUEUED: _("排队中"), RunStatus.RUNNING: _("生成中"), RunStatus.SUCCEEDED: _("已完成"),
            RunStatus.FAILED: _("失败")}[status]


def period_label(run: ReportRun) -> str:
    return Period.parse(definitions.get(run.report).kind, run.period_key).label


bp.add_app_template_global(status_label, "report_status")
bp.add_app_template_global(period_label, "report_period")
bp.add_app_template_global(lambda key: str(definitions.get(key).title), "report_title")
bp.add_app_template_global(lambda run: permissions.can_download(current_user, run, queries.recipients_of(run)),
                           "report_downloadable")


def _admin() -> None:
    if not permissions.can_manage_reports(current_user):
        abort(403)


@bp.route("/runs", methods=["GET", "POST"])
def runs():
    _admin()
    form = RunNowForm()
    form.set_choices(institutions())
    if request.method == "GET":
        form.organisation.data = institution_of(current_user.organisation).id
    if form.validate_on_submit():
        try:
            run = services.request_run(form.report.data, form.period.data, actor=current_user,
                                       organisation=db.session.get(Organisation, form.organisation.data))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("已加入生成队列：%(p)s%(r)s。本页每 5 秒刷新一次进度。", p=period_label(run),
                    r=definitions.get(run.report).title), "success")
            return redirect(url_for(".runs"))
    rows = queries.recent_runs()
    busy = any(r.status in (RunStatus.QUEUED, RunStatus.RUNNING) for r in rows)
    return render_template("reports/runs.html", form=form, runs=rows, busy=busy), 422 if form.errors else 200


@bp.get("/schedules")
def schedules():
    _admin()
    return render_template("reports/schedules.html", reports=definitions.REPORTS.values(),
                           schedules=queries.schedules())


@bp.route("/schedules/<report>", methods=["GET", "POST"])
def edit_schedule(report: str):
    _admin()
    if report not in definitions.REPORTS:
        abort(404)
    definition = definitions.get(report)
    schedule = queries.schedule_of(report)
    users = queries.active_users()
    form = ScheduleForm(obj=None)
    form.set_choices(users, institutions())
    if request.method == "GET":
        form.organisation.data = (schedule.organisation_id if schedule and schedule.organisation_id
                                  else institution_of(current_user.organisation).id)
        form.cron.data = schedule.cron if schedule else definition.default_cron
        form.classification.data = (schedule.classification if schedule else Classification.INTERNAL).value
        form.recipients.data = [u.id for u in schedule.recipients] if schedule else []
        form.active.data = schedule.active if schedule else True
    elif form.validate_on_submit():
        chosen = [u for u in users if u.id in set(form.recipients.data or [])]
        try:
            services.save_schedule(report, actor=current_user, cron=form.cron.data,
                                   classification=Classification(form.classification.data), recipients=chosen,
                                   active=form.active.data,
                                   organisation=db.session.get(Organisation, form.organisation.data))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("“%(r)s”的计划已保存。", r=definition.title), "success")
            return redirect(url_for(".schedules"))
    code = 422 if form.errors else 200
    return render_template("reports/schedule_form.html", form=form, definition=definition), code


@bp.get("/archive")
def archive():
    if not permissions.can_view_archive(current_user) and not queries.archive_for(current_user, limit=1):
        abort(403)
    return render_template("reports/archive.html", runs=queries.archive_for(current_user))


def _downloadable(run_id: int) -> ReportRun:
    run = db.get_or_404(ReportRun, run_id)
    if run.status is not RunStatus.SUCCEEDED or not permissions.can_download(
            current_user, run, queries.recipients_of(run)):
        abort(404)
    return run


@bp.get("/archive/<int:run_id>")
def archived(run_id: int):
    run = _downloadable(run_id)
    return render_template("reports/archived.html", run=run, classification=labels.classification(run.classification))


@bp.get("/archive/<int:run_id>/<kind>")
@writes_on_get  # every download is audited
def download(run_id: int, kind: str):
    if kind not in ("pdf", "xlsx"):
        abort(404)
    run = _downloadable(run_id)
    audit.record("report.downloaded", actor=current_user, obj=run, summary={"format": kind})
    commit()
    data = run.pdf if kind == "pdf" else run.xlsx
    name = f"{period_label(run)}{definitions.get(run.report).title}.{kind}"
    response = send_file(io.BytesIO(data), mimetype="application/pdf" if kind == "pdf" else XLSX,
                         as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
