"""Staff pages: the campaigns of one's institution, creating and editing one, its invitations (generated
in batches and printed once: the tokens exist in clear only in that response), the workflow buttons and
the running results."""
from __future__ import annotations

from flask import Blueprint, Response as HttpResponse, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.db import commit, db
from oversight.errors import ValidationFailed
from oversight.lockdown import export_endpoint
from oversight.orgs.permissions import institution_of
from oversight.pdf import render_pdf
from oversight.web.forms import apply_errors
from . import permissions, queries, services
from .demo import demo_codes
from .forms import CampaignForm, CancelForm, InvitationsForm, to_local, to_utc
from .labels import label
from .models import Campaign, EvaluationInvitation
from .workflow import WITH_RESULTS, Action

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")
bp.add_app_template_global(label, "evaluation_label")
bp.add_app_template_global(queries.percent, "evaluation_percent")


@bp.before_request
def _npc_staff_only():
    if not permissions.can_use_evaluation(current_user):
        abort(403)


def _load(campaign_id: int) -> Campaign:
    campaign = db.get_or_404(Campaign, campaign_id)
    if not permissions.can_view(current_user, campaign):
        abort(404)
    return campaign


def _version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


@bp.get("/")
def index():
    return render_template("evaluation/index.html", campaigns=queries.for_user(current_user),
                           can_create=permissions.can_create(current_user))


def _item_choices(organiser, campaign: Campaign | None = None):
    publications = services.selectable_publications(organiser)
    if campaign is not None:  # keep items already chosen even if no longer listed
        known = {p.id for p in publications}
        publications += [i.publication for i in campaign.items if i.publication_id not in known]
    return [(p.id, p.title) for p in publications]


@bp.route("/new", methods=["GET", "POST"])
def create():
    if not permissions.can_create(current_user):
        abort(403)
    form = CampaignForm()
    form.items.choices = _item_choices(institution_of(current_user.organisation))
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(
                actor=current_user, title=form.title.data, description=form.description.data,
                opens_at=to_utc(form.opens_at.data), closes_at=to_utc(form.closes_at.data),
                publication_ids=form.items.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("评议“%(t)s”已创建。请生成邀请码，然后开始评议。", t=campaign.title), "success")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    return render_template("evaluation/form.html", form=form, campaign=None), \
        422 if request.method == "POST" else 200


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = _load(campaign_id)
    services.check(campaign, Action.EDIT, current_user)
    if request.method == "GET":
        form = CampaignForm(obj=campaign)
        form.opens_at.data, form.closes_at.data = to_local(campaign.opens_at), to_local(campaign.closes_at)
        form.items.data = [i.publication_id for i in campaign.items]
    else:
        form = CampaignForm()
    form.items.choices = _item_choices(campaign.organiser_org, campaign)
    if form.validate_on_submit():
        try:
            services.update_campaign(campaign, actor=current_user, title=form.title.data,
                                     description=form.description.data, opens_at=to_utc(form.opens_at.data),
                                     closes_at=to_utc(form.closes_at.data), publication_ids=form.items.data,
                                     expected_version=form.version.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("评议信息已保存。"), "success")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    return render_template("evaluation/form.html", form=form, campaign=campaign), \
        422 if request.method == "POST" else 200


@bp.get("/<int:campaign_id>")
def detail(campaign_id: int):
    campaign = _load(campaign_id)
    manage = permissions.can_manage(current_user, campaign)
    invitations = queries.invitations(campaign)
    show_results = campaign.state in WITH_RESULTS
    return render_template(
        "evaluation/detail.html", campaign=campaign, invitations=invitations, manage=manage,
        actions=permissions.allowed_actions(current_user, campaign), Action=Action,
        results=queries.results(campaign) if show_results else None,
        comments=queries.comments(campaign) if show_results else [],
        invite_form=InvitationsForm(formdata=None), cancel_form=CancelForm(formdata=None),
        demo=demo_codes(invitations) if manage else {},
        public_results_url=url_for("public_evaluation.results", campaign_id=campaign.id)
        if permissions.results_public(campaign) else None)


def _no_store(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:campaign_id>/invitations")
@export_endpoint  # a download (the printable list or its PDF): refused while the emergency lock is on
def generate(campaign_id: int):
    campaign = _load(campaign_id)
    form = InvitationsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    labels = [line for line in (form.labels.data or "").splitlines()]
    try:
        issued = services.generate_invitations(campaign, actor=current_user, count=form.count.data, labels=labels)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".detail", campaign_id=campaign.id))
    commit()
    # The tokens exist in clear only in this response: never in flash(), a redirect or a log.
    rows = [(i.invitation, i.code, url_for("public_evaluation.rate", token=i.token, _external=True)) for i in issued]
    entry_url = url_for("public_evaluation.entry", _external=True)
    if form.output.data == "pdf":
        pdf = render_pdf("evaluation/pdf/invitations.html", title=_("群众评议邀请函"), campaign=campaign,
                         rows=rows, entry_url=entry_url, classification=_("内部资料 注意保管"),
                         opens=to_local(campaign.opens_at), closes=to_local(campaign.closes_at))
        filename = f"evaluation-{campaign.id}-invitations-{rows[0][0].number}-{rows[-1][0].number}.pdf"
        return _no_store(HttpResponse(pdf, mimetype="application/pdf",
                                      headers={"Content-Disposition": f"attachment; filename={filename}"}))
    return _no_store(HttpResponse(render_template("evaluation/print.html", campaign=campaign, rows=rows,
                                                  entry_url=entry_url)))


@bp.post("/<int:campaign_id>/invitations/<int:invitation_id>/revoke")
def revoke(campaign_id: int, invitation_id: int):
    campaign = _load(campaign_id)
    invitation = db.get_or_404(EvaluationInvitation, invitation_id)
    if invitation.campaign_id != campaign.id:
        abort(404)
    services.revoke_invitation(invitation, actor=current_user)
    commit()
    flash(_("第 %(n)d 号邀请码已作废。", n=invitation.number), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id, _anchor="invitations"))


def _step(campaign_id: int, run, message: str):
    campaign = _load(campaign_id)
    try:
        run(campaign)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".detail", campaign_id=campaign_id))
    commit()
    flash(message, "success")
    return redirect(url_for(".detail", campaign_id=campaign_id))


@bp.post("/<int:campaign_id>/open")
def open_(campaign_id: int):
    return _step(campaign_id, lambda c: services.open_campaign(c, actor=current_user, expected_version=_version()),
                 _("评议已开始，受邀群众可以使用邀请码评议。"))


@bp.post("/<int:campaign_id>/close")
def close(campaign_id: int):
    return _step(campaign_id, lambda c: services.close_campaign(c, actor=current_user, expected_version=_version()),
                 _("评议已结束，不再接受评议。"))


@bp.post("/<int:campaign_id>/publish")
def publish(campaign_id: int):
    return _step(campaign_id, lambda c: services.publish_results(c, actor=current_user, expected_version=_version()),
                 _("评议结果已在公开栏目公布。"))


@bp.post("/<int:campaign_id>/cancel")
def cancel(campaign_id: int):
    return _step(campaign_id, lambda c: services.cancel_campaign(c, actor=current_user, expected_version=_version(),
                                                                 reason=request.form.get("reason", "")),
                 _("评议已取消，未使用的邀请码已作废。"))



