"""The public evaluation pages (no login): enter a code, rate the items with a one-time invitation,
and the published results. Wrong tokens are counted per address (in the database) and refused
beyond a limit; a revoked or unknown token reads exactly like a forged one."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from oversight.db import commit, db, writes_on_get
from oversight.errors import ValidationFailed
from oversight.extensions import csrf
from oversight.web.security import public
from . import permissions, queries, services, tokens
from .forms import CodeForm
from .models import Campaign
from .workflow import Rating

bp = Blueprint("public_evaluation", __name__, url_prefix="/public/evaluation")
RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED)


class SubmitForm(FlaskForm):
    """The ratings are read per item from the form data. No CSRF token (so no session cookie, like every public
    page): the invitation's one-time secret token in the URL already proves the submission is the invitee's —
    a forged cross-site post would need that token, and whoever has it can submit anyway."""

    class Meta:
        csrf = False


def publication_url(publication) -> str:
    """The publication's public page (the portal's, reports.publications.public_views)."""
    return url_for("public.publication", pub_id=publication.id)


def _private(response):
    """Token pages: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _message(status: int, title: str, message: str):
    return _private(make_response(render_template("evaluation/public/message.html", title=title, message=message),
                                  status))


def _address() -> str:
    return request.remote_addr or ""


def _refuse_guess():
    services.record_failure(_address())
    commit()
    return _message(404, _("评议码无效"), services.unknown_token_message())


def _too_many():
    return _message(429, _("尝试次数过多"),
                    _("您输入错误评议码的次数过多，请 %(m)d 分钟后再试。", m=int(services.FAILURE_WINDOW.total_seconds() // 60)))


@bp.route("/", methods=["GET", "POST"])
@public
@csrf.exempt  # only turns a typed code into the token link; no cookie on public pages
def entry():
    form = CodeForm()
    if form.validate_on_submit():
        if services.too_many_failures(_address()):
            return _too_many()
        token = tokens.normalise(form.code.data)
        if token is None:
            services.record_failure(_address())
            commit()
            form.code.errors = [services.unknown_token_message()]
        else:
            return redirect(url_for(".rate", token=token))
    return render_template("evaluation/public/entry.html", form=form), 422 if form.errors else 200


@bp.route("/<token>", methods=["GET", "POST"])
@public
@writes_on_get
@csrf.exempt  # the one-time token is the proof (see SubmitForm)
def rate(token: str):
    if services.too_many_failures(_address()):
        return _too_many()
    invitation = services.find_invitation(token)
    try:
        services.usable(invitation)
    except services.TokenRefused:
        return _refuse_guess()
    except (services.TokenUsed, services.CampaignNotOpen) as exc:
        title = _("评议码已使用") if isinstance(exc, services.TokenUsed) else _("评议未在进行")
        return _message(exc.status, title, exc.message)
    campaign = invitation.campaign
    form = SubmitForm()
    errors, chosen, comments = {}, {}, {}
    if request.method == "POST":
        ids = {item.id for item in campaign.items}
        chosen = {item.id: request.form.get(f"rating-{item.id}") for item in campaign.items}
        comments = {item.id: request.form.get(f"comment-{item.id}", "") for item in campaign.items}
        # Items posted that are not this campaign's are refused as a whole (no partial submission).
        for key in request.form:
            if key.startswith("rating-"):
                try:
                    item_id = int(key.split("-", 1)[1])
                except ValueError:
                    item_id = -1
                if item_id not in ids:
                    chosen[item_id] = request.form[key]
        try:
            services.submit(invitation, ratings=chosen, comments=comments)
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.errors
        except services.TokenUsed as exc:
            db.session.rollback()
            return _message(exc.status, _("评议码已使用"), exc.message)
        else:
            commit()
            return redirect(url_for(".thanks"))
    response = make_response(render_template(
        "evaluation/public/rate.html", campaign=campaign, form=form, ratings=RATINGS, errors=errors,
        chosen=chosen, comments=comments, publication_url=publication_url, max_comment=services.MAX_COMMENT),
        422 if errors else 200)
    return _private(response)


@bp.get("/thanks")
@public
def thanks():
    return _message(200, _("提交成功"), _("您的评议已提交，感谢您的参与！评议结束后，结果将在本栏目公布。"))


@bp.get("/results/")
@public
def results_index():
    return render_template("evaluation/public/results_index.html", campaigns=queries.published())


@bp.get("/results/<int:campaign_id>")
@public
def results(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not permissions.results_public(campaign):
        abort(404)
    return render_template("evaluation/public/results.html", campaign=campaign, results=queries.results(campaign),
                           publication_url=publication_url)
