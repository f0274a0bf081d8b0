"""The dashboards: NPC leadership, procuratorate, one organisation, and a deputy's own items beside
the overall figures. Each shows one period (week, month, quarter or year in Asia/Shanghai) of the
statistics service, with a chart and its data table per figure group and drill-down links."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from oversight.db import db
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import institution_of
from oversight.referrals.queries import institutions
from oversight.web.templating import NAVIGATION, NavItem
from oversight.workdays import today

from . import cache, models  # noqa: F401  (the report tables, known to Alembic through the blueprint)
from . import permissions
from .forms import RefreshForm
from .statistics import Period, PeriodKind, Scope, Statistics, definition
from .statistics.figures import fmt, sample_note

bp = Blueprint("reports", __name__, url_prefix="/reports")

PERIOD_KINDS = [(PeriodKind.WEEK, _l("周")), (PeriodKind.MONTH, _l("月")), (PeriodKind.QUARTER, _l("季度")),
                (PeriodKind.YEAR, _l("年"))]


@bp.record_once
def _navigation(state) -> None:
    # `oversight` never imports `reports`: the reports package adds its own navigation item.
    if not any(item.endpoint == "reports.index" for item in NAVIGATION):
        NAVIGATION.insert(4, NavItem("reports.index", _l("统计看板"), permissions.can_use_dashboards))
        NAVIGATION.insert(5, NavItem("report_runs.archive", _l("报告归档"), permissions.can_view_archive))
        NAVIGATION.append(NavItem("report_runs.runs", _l("报告生成"), permissions.can_manage_reports))


bp.add_app_template_filter(fmt, "figure")
bp.add_app_template_global(definition, "figure_definition")


def chosen_period() -> Period:
    """The period in the query string (kind + key), or the current month; never a future one."""
    kind = request.args.get("kind") or PeriodKind.MONTH.value
    key = (request.args.get("period") or "").strip()
    if not key:
        return Period.containing(PeriodKind(kind) if kind in PeriodKind.__members__.values() else PeriodKind.MONTH,
                                 today())
    period = Period.parse(kind, key)
    if period.is_future(today()):
        raise ValidationFailed(_("周期 %(p)s 尚未开始，不能统计或生成报告。", p=period.key), field="period")
    return period


def _render(title: str, scope: Scope, *, overall_scope: Scope | None = None, organisations=None):
    """The dashboard of `scope` for the chosen period, from the cached figures (reports/cache.py);
    a POST (「立即更新」) recomputes them first and comes back to the same page."""
    try:
        period = chosen_period()
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for(request.endpoint, **(request.view_args or {})))
    form = RefreshForm()
    refresh = request.method == "POST"
    if refresh:
        if not form.validate_on_submit():
            abort(400)
        cache.figures(period, scope, refresh=True)
        if overall_scope is not None:
            cache.figures(period, overall_scope, refresh=True)
        flash(_("统计数据已更新。"), "success")
        return redirect(url_for(request.endpoint, **(request.view_args or {}), kind=period.kind.value,
                                period=period.key))
    cached = cache.figures(period, scope, detached=True)
    stats = Statistics(period, scope, cached.sections)
    overall = None
    updated = cached.computed_at
    if overall_scope is not None:
        other = cache.figures(period, overall_scope, detached=True)
        overall = Statistics(period, overall_scope, other.sections)
        updated = min(d for d in (updated, other.computed_at) if d) if other.computed_at else updated
    return render_template("reports/dashboard.html", title=title, stats=stats, charts=cached.charts, overall=overall,
                           period=period, kinds=PERIOD_KINDS, note=sample_note(), organisations=organisations or [],
                           updated_at=updated, refresh_form=form,
                           refresh_url=url_for(request.endpoint, **(request.view_args or {}), kind=period.kind.value,
                                               period=period.key))


@bp.get("/")
def index():
    if permissions.can_view_leadership(current_user):
        return redirect(url_for(".leadership"))
    if permissions.can_view_procuratorate(current_user):
        return redirect(url_for(".procuratorate"))
    if permissions.can_view_deputy(current_user):
        return redirect(url_for(".deputy"))
    abort(403)


def _institutions_in_view() -> list[Organisation]:
    return [o for o in institutions() if permissions.can_view_organisation(current_user, o)]


@bp.route("/leadership", methods=["GET", "POST"])
def leadership():
    if not permissions.can_view_leadership(current_user):
        abort(403)
    return _render(_("人大领导看板"), Scope.for_user(current_user), organisations=_institutions_in_view())


@bp.route("/procuratorate", methods=["GET", "POST"])
def procuratorate():
    if not permissions.can_view_procuratorate(current_user):
        abort(403)
    return _render(_("检察院看板"), Scope.for_user(current_user), organisations=_institutions_in_view())


@bp.route("/organisation/<int:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    if not permissions.can_view_organisation(current_user, org):
        abort(404)
    return _render(_("单位看板：%(o)s", o=org.name), Scope.for_organisation(org, current_user),
                   organisations=_institutions_in_view())


@bp.route("/deputy", methods=["GET", "POST"])
def deputy():
    if not permissions.can_view_deputy(current_user):
        abort(403)
    # The overall figures are those of the deputy's own institution and the institutions below it.
    return _render(_("代表看板：本人提出的建议"), Scope.for_deputy(current_user),
                   overall_scope=Scope.for_organisation(institution_of(current_user.organisation)))
