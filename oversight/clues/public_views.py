"""The public side of the clue port (no login): the form, a liaison station's entry to it, the
receipt, and the status look-up. Every page is under /public/ (the emergency lock covers them).

The receipt with the tracking code and the secret is rendered only after `commit()` has returned: a
failure before or in the commit shows an error page and never a code.
"""
from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..attachments.services import _size_text as attachment_size_text
from ..db import commit, db
from ..errors import ValidationFailed
from ..orgs.models import Organisation
from ..orgs.permissions import institution_of
from ..redaction import mask_all
from ..web.security import public
from . import categories, labels, protection, services
from .forms import ClueForm, StatusForm
from .models import Clue
from .workflow import ClueState

bp = Blueprint("clues_public", __name__, url_prefix="/public")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _client_key() -> str:
    return protection.client_key(request.remote_addr)


def _render_form(form: ClueForm, station, *, status: int = 200, message: str | None = None):
    committees = services.receiving_committees()
    form.set_choices(committees)
    question, token = protection.new_challenge()
    form.challenge.data = token
    form.answer.data = ""
    response = make_response(render_template(
        "clues/public/new.html", form=form, station=station, question=question,
        station_committee=institution_of(station) if station is not None else None, message=message,
        max_files=services.MAX_FILES,
        max_size=attachment_size_text(services._max_file_bytes())), status)
    return _no_store(response)


@bp.get("/clues/new")
@public
def new():
    station = services.station_by_code(request.args.get("station"))
    if request.args.get("station") and station is None:
        abort(404)
    return _render_form(ClueForm(), station)


@bp.get("/stations/<code>/clue")
@public
def station_entry(code: str):
    if services.station_by_code(code) is None:
        abort(404)
    return redirect(url_for(".new", station=code))


@bp.post("/clues/new")
@public
def submit():
    station = services.station_by_code(request.form.get("station"))
    if request.form.get("station") and station is None:
        abort(404)
    form = ClueForm()
    form.validate_on_submit()  # the service checks the fields; here only the CSRF token counts
    if "csrf_token" in form.errors:
        return _render_form(form, station, status=400,
                            message=_("页面已过期或来源无效，请重新填写提交。"))
    committee = db.session.get(Organisation, form.receiving_org.data) if form.receiving_org.data else None
    uploads = [f for f in (form.files.data or []) if getattr(f, "filename", None)]
    try:
        clue, secret = services.submit(
            client_key=_client_key(), challenge_token=form.challenge.data, challenge_answer=form.answer.data,
            category=form.category.data or "", title=form.title.data, description=form.description.data,
            place=form.place.data, contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
            contact_email=form.contact_email.data, station=station, receiving_org=committee,
            files=[(f.filename, f.stream) for f in uploads])
    except protection.RateLimited as exc:
        db.session.rollback()
        return _render_form(form, station, status=429, message=exc.message)
    except ValidationFailed as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            field = form._fields.get(name) or (form.answer if name == "challenge" else None)
            if field is not None:
                field.errors = list(field.errors or []) + [message]
        return _render_form(form, station, status=422, message=exc.message)
    finally:
        for upload in uploads:
            upload.close()
    code = clue.tracking_code
    commit()
    # Committed: now, and only now, the sender learns the code and the secret.
    return _no_store(make_response(render_template("clues/public/receipt.html", code=code, secret=secret)))


@bp.route("/clues/status", methods=["GET", "POST"])
@public
def status():
    form = StatusForm()
    if request.method == "GET":
        return _no_store(make_response(render_template("clues/public/status.html", form=form, clue=None)))
    form.validate_on_submit()
    if "csrf_token" in form.errors:
        return _no_store(make_response(render_template(
            "clues/public/status.html", form=form, clue=None, message=_("页面已过期，请重新查询。")), 400))
    try:
        clue = services.lookup(client_key=_client_key(), code=form.code.data, secret=form.secret.data)
    except protection.RateLimited as exc:
        db.session.rollback()
        return _no_store(make_response(render_template("clues/public/status.html", form=form, clue=None,
                                                       message=exc.message), 429))
    except ValidationFailed as exc:
        commit()  # the failed try still counts against the address
        return _no_store(make_response(render_template("clues/public/status.html", form=form, clue=None,
                                                       message=exc.message), 404))
    view = public_view(clue)
    commit()
    return _no_store(make_response(render_template("clues/public/status.html", form=StatusForm(formdata=None),
                                                   clue=view)))


def public_view(clue: Clue) -> dict:
    """What the sender may read: the outcome and redacted text — no staff, no referral, no contacts."""
    names = [clue.contact_name] if clue.contact_name else []
    files = services.attachments_of(clue)
    state_label = labels.public_state(clue.state)
    final = clue
    for _hop in range(5):  # a merged clue's sender follows the clue it was merged into
        if final.state is not ClueState.MERGED or final.duplicate_of is None:
            break
        final = final.duplicate_of
    if final is not clue:
        state_label = _("%(state)s；合并后的处理情况：%(final)s", state=state_label,
                        final=labels.public_state(final.state))
    return {
        "code": clue.tracking_code,
        "state": clue.state.value,
        "state_label": state_label,
        "category": categories.label(clue.category),
        "title": mask_all(clue.title, names),
        "description": mask_all(clue.description, names),
        "place": mask_all(clue.place, names),
        "received_at": clue.created_at,
        "decided_at": clue.decided_at,
        "decline_reason": mask_all(clue.decline_reason, names) if clue.state is ClueState.DECLINED else None,
        "station": clue.station.name if clue.station is not None else None,
        "receiving_org": clue.receiving_org.name,
        "files": len(files),
    }
