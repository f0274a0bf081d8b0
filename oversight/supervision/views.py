"""Alerts: the list (filters, keyset pages), the detail with its evidence, and the decisions."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from ..db import commit, db
from ..errors import ValidationFailed
from ..orgs.models import Organisation, OrgKind
from ..orgs.permissions import institution_of
from ..web.forms import apply_errors
from . import labels, permissions, queries, services
from .forms import ConvertForm, DismissForm
from .models import Alert
from .workflow import AlertAction, AlertState, Severity

bp = Blueprint("supervision_alerts", __name__, url_prefix="/alerts")

EVIDENCE_ENDPOINTS = {"referral": ("referrals.detail", "referral_id"), "rectification_item": ("rectification.detail", "item_id"),
                      "topic": ("topics.detail", "topic_id"), "organisation": ("orgs.detail", "org_id"),
                      "clue": ("clues.detail", "clue_id")}


def evidence_url(item: dict) -> str | None:
    endpoint = EVIDENCE_ENDPOINTS.get(item.get("kind"))
    if not endpoint:
        return None
    try:
        return url_for(endpoint[0], **{endpoint[1]: item.get("id")})
    except BuildError:  # a kind whose pages this deployment lacks
        return None


@bp.app_context_processor
def helpers():
    return {"evidence_url": evidence_url, "evidence_kind": labels.evidence_kind, "alert_labels": labels}


@bp.before_request
def require_reader():
    if not permissions.can_view_alerts(current_user):
        abort(403)


def _enum(cls, value):
    try:
        return cls(value) if value else None
    except ValueError:
        return None


@bp.get("/")
def index():
    model_id = request.args.get("model", type=int)
    f = queries.Filters(model_id=model_id, state=_enum(AlertState, request.args.get("state")),
                        severity=_enum(Severity, request.args.get("severity")))
    page = queries.alerts(f, user=current_user, after=request.args.get("after"))
    return render_template("supervision/alerts.html", page=page, f=f, models=queries.models(),
                           counts=queries.counts_by_state(current_user), states=list(AlertState), severities=list(Severity))


def lead_bodies(user) -> list[Organisation]:
    home = institution_of(user.organisation)
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.path.startswith(home.path, autoescape=True),
        Organisation.kind.in_([OrgKind.NPC_COMMITTEE, OrgKind.NPC_BODY]), Organisation.active.is_(True))
        .order_by(Organisation.path)))


def detail_page(alert: Alert, *, dismiss_form=None, convert_form=None, status: int = 200):
    actions = permissions.allowed_actions(current_user, alert)
    dismiss_form = dismiss_form or DismissForm(formdata=None, version=alert.version)
    convert_form = convert_form or ConvertForm(formdata=None, title=alert.title, version=alert.version)
    if AlertAction.CONVERT in actions:
        convert_form.lead_body.choices = [(o.id, o.name) for o in lead_bodies(current_user)]
    precision = queries.precision_by_model(current_user).get(alert.model_id)
    return render_template("supervision/alert.html", a=alert, actions=actions, dismiss_form=dismiss_form,
                           convert_form=convert_form, precision=precision), status


@bp.get("/<int:alert_id>")
def detail(alert_id: int):
    return detail_page(_visible_or_404(alert_id))


def _visible_or_404(alert_id: int) -> Alert:
    alert = queries.get_visible(alert_id, current_user)
    if alert is None:
        abort(404)
    return alert


@bp.post("/<int:alert_id>/confirm")
def confirm(alert_id: int):
    alert = _visible_or_404(alert_id)
    services.confirm(alert, actor=current_user, expected_version=request.form.get("version", type=int))
    commit()
    flash(_("预警已确认。"), "success")
    return redirect(url_for(".detail", alert_id=alert.id))


@bp.post("/<int:alert_id>/dismiss")
def dismiss(alert_id: int):
    alert = _visible_or_404(alert_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            services.dismiss(alert, actor=current_user, reason=form.reason.data,
                             expected_version=int(form.version.data or 0) or None)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("预警已排除。"), "success")
            return redirect(url_for(".detail", alert_id=alert.id))
    return detail_page(alert, dismiss_form=form, status=422)


@bp.post("/<int:alert_id>/convert")
def convert(alert_id: int):
    alert = _visible_or_404(alert_id)
    if not permissions.can_act(current_user, alert, AlertAction.CONVERT):
        services.check(alert, AlertAction.CONVERT, current_user)   # raises the right domain error
    form = ConvertForm()
    form.lead_body.choices = [(o.id, o.name) for o in lead_bodies(current_user)]
    if form.validate_on_submit():
        try:
            topic = services.convert(alert, actor=current_user, title=form.title.data,
                                     lead_body=db.session.get(Organisation, form.lead_body.data),
                                     expected_version=int(form.version.data or 0) or None)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("已根据预警建立监督议题“%(t)s”。", t=topic.title), "success")
            return redirect(url_for("topics.detail", topic_id=topic.id))
    return detail_page(alert, convert_form=form, status=422)

