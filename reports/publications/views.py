"""Staff pages of the disclosure workflow: the list, drafting and editing, and the review page where every
redaction hit is highlighted and masked or kept with a reason before the reviewer may publish."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from issues.models import Topic
from oversight.db import commit, db
from oversight.errors import Conflict, InvalidTransition, ValidationFailed
from oversight.orgs.permissions import institution_of
from oversight.referrals.labels import classification as classification_label
from reports.models import ReportRun, RunStatus

from . import labels, permissions, queries, services, snapshot
from .forms import FilterForm, HitForm, PublicationForm, ReasonForm, VersionForm
from .models import Publication
from .workflow import PubAction, PubKind, PubState

bp = Blueprint("publications", __name__, url_prefix="/publications")
bp.add_app_template_global(labels, "publication_labels")


def load(pub_id: int) -> Publication:
    pub = db.get_or_404(Publication, pub_id)
    if not permissions.can_view(current_user, pub):
        abort(404)
    return pub


def _choices(form: PublicationForm, *, with_kind: bool = True) -> None:
    owner = institution_of(current_user.organisation)
    topics = db.session.scalars(sa.select(Topic).where(Topic.owner_org_id == owner.id).order_by(Topic.id.desc())
                                .limit(500))
    runs = db.session.scalars(sa.select(ReportRun).where(
        ReportRun.organisation_id == owner.id, ReportRun.status == RunStatus.SUCCEEDED,
        ReportRun.report.in_(sorted(services.PERIODIC_REPORTS))).order_by(ReportRun.id.desc()).limit(200))
    form.set_choices([t for t in topics],
                     [(r.id, f"{r.report} {r.period_key}（{classification_label(r.classification)}）") for r in runs],
                     with_kind=with_kind)


def _picked(form: PublicationForm):
    topic = db.session.get(Topic, form.topic.data) if form.topic.data else None
    run = db.session.get(ReportRun, form.report_run.data) if form.report_run.data else None
    return topic, run


@bp.get("/")
def index():
    if not permissions.can_use_publications(current_user):
        abort(403)
    form = FilterForm(request.args)
    form.set_choices()
    filters = queries.StaffFilters()
    if not request.args or form.validate():
        filters = queries.StaffFilters(state=PubState(form.state.data) if form.state.data else None,
                                       kind=PubKind(form.kind.data) if form.kind.data else None,
                                       keyword=(form.keyword.data or "").strip())
    page = queries.staff_list(current_user, filters, after=request.args.get("after"),
                              limit=current_app.config["PAGE_SIZE"])
    return render_template("publications/index.html", form=form, page=page,
                           can_create=permissions.can_create(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not permissions.can_create(current_user):
        abort(403)
    form = PublicationForm()
    _choices(form)
    if form.validate_on_submit():
        topic, run = _picked(form)
        try:
            pub = services.create(actor=current_user, kind=PubKind(form.kind.data), title=form.title.data,
                                  summary=form.summary.data or "", body=form.body.data or "", topic=topic,
                                  report_run=run, private_names=form.private_names.data or "")
            commit()
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            flash(_("草稿已保存。"), "success")
            return redirect(url_for(".show", pub_id=pub.id))
    return render_template("publications/form.html", form=form, pub=None)


@bp.route("/<int:pub_id>/edit", methods=["GET", "POST"])
def edit(pub_id: int):
    pub = load(pub_id)
    if not permissions.can_act(current_user, pub, PubAction.EDIT):
        abort(403)
    form = PublicationForm(obj=None if request.method == "POST" else pub)
    _choices(form, with_kind=False)
    if request.method == "GET":
        form.topic.data, form.report_run.data, form.version.data = pub.topic_id or 0, pub.report_run_id or 0, pub.version
    if form.validate_on_submit():
        topic, run = _picked(form)
        try:
            services.edit(pub, actor=current_user, title=form.title.data, summary=form.summary.data or "",
                          body=form.body.data or "", topic=topic, report_run=run,
                          private_names=form.private_names.data or "", expected_version=form.version.data)
            commit()
        except ValidationFailed as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for(".show", pub_id=pub.id))
    return render_template("publications/form.html", form=form, pub=pub)


def _apply_errors(form, exc: ValidationFailed) -> None:
    from oversight.web.forms import apply_errors

    apply_errors(form, exc)


def segments(text: str, hits, kept: set) -> list[tuple[str, object, bool]]:
    """`text` cut into plain runs and hits: (text, hit or None, justified)."""
    out, pos = [], 0
    for hit in hits:
        out.append((text[pos:hit.start], None, False))
        out.append((hit.text, hit, (hit.kind, hit.text) in kept))
        pos = hit.end
    out.append((text[pos:], None, False))
    return [s for s in out if s[0]]


@bp.get("/<int:pub_id>")
def show(pub_id: int):
    pub = load(pub_id)
    all_hits = services.hits(pub)
    kept = services.justified(pub)
    fields = {f: segments(getattr(pub, f) or "", [h for fld, h in all_hits if fld == f], kept)
              for f in services.TEXT_FIELDS}
    distinct = list({(h.kind, h.text): h for _f, h in all_hits}.values())
    return render_template(
        "publications/show.html", pub=pub, fields=fields, distinct_hits=distinct, kept=kept,
        unresolved=len(services.unresolved(pub)), actions=permissions.allowed_actions(current_user, pub),
        snap=snapshot.loads(pub.snapshot), snapshot_labels=snapshot, reason_form=ReasonForm(formdata=None),
        version_form=VersionForm(formdata=None, data={"version": pub.version}))


def _transition(pub_id: int, do, message: str):
    pub = load(pub_id)
    try:
        do(pub)
        commit()
    except (ValidationFailed, Conflict, InvalidTransition) as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for(".show", pub_id=pub_id))


def _version() -> int | None:
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    return form.version.data


@bp.post("/<int:pub_id>/submit")
def submit(pub_id: int):
    version = _version()
    return _transition(pub_id, lambda p: services.submit(p, actor=current_user, expected_version=version),
                       _("已提交审核。"))


@bp.post("/<int:pub_id>/publish")
def publish(pub_id: int):
    version = _version()
    return _transition(pub_id, lambda p: services.publish(p, actor=current_user, expected_version=version),
                       _("已发布到公开门户。"))


@bp.post("/<int:pub_id>/redact-all")
def redact_all(pub_id: int):
    version = _version()
    return _transition(pub_id, lambda p: services.redact_all(p, actor=current_user, expected_version=version),
                       _("已遮蔽全部未处理的命中项。"))


def _reasoned(pub_id: int, service, message: str):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("请填写理由。"), "error")
        return redirect(url_for(".show", pub_id=pub_id))
    return _transition(pub_id, lambda p: service(p, actor=current_user, reason=form.reason.data,
                                                 expected_version=form.version.data), message)


@bp.post("/<int:pub_id>/send-back")
def send_back(pub_id: int):
    return _reasoned(pub_id, services.send_back, _("已退回修改。"))


@bp.post("/<int:pub_id>/withdraw")
def withdraw(pub_id: int):
    return _reasoned(pub_id, services.withdraw, _("已撤回。公开页面将显示撤回说明。"))


@bp.post("/<int:pub_id>/redact")
def redact(pub_id: int):
    form = HitForm()
    if not form.validate_on_submit():
        abort(400)
    return _transition(pub_id, lambda p: services.redact(p, actor=current_user, kind=form.kind.data,
                                                         value=form.value.data, expected_version=form.version.data),
                       _("已遮蔽。"))


@bp.post("/<int:pub_id>/justify")
def justify(pub_id: int):
    form = HitForm()
    if not form.validate_on_submit():
        abort(400)
    return _transition(pub_id, lambda p: services.justify(p, actor=current_user, kind=form.kind.data,
                                                          value=form.value.data, reason=form.reason.data or "",
                                                          expected_version=form.version.data),
                       _("已记录保留理由。"))
