"""The liaison directory: both sides' liaison persons per pairing, each institution's history, and
designating a liaison body and person."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.accounts.models import User
from oversight.db import commit, db
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import can_see_organisation_work, in_subtree, institution_of
from oversight.orgs.queries import choices as org_choices, pairing_of
from oversight.web.forms import apply_errors
from ..labels import label
from ..permissions import INSTITUTION_KINDS
from . import permissions, queries, services
from .forms import DesignationForm, EndForm
from .models import ContactRole, LiaisonDesignation

bp = Blueprint("liaison_registry", __name__, url_prefix="/liaison/registry")


def _visible_institutions() -> list[Organisation]:
    return [o for o in org_choices(kinds=set(INSTITUTION_KINDS)) if can_see_organisation_work(current_user, o)
            or (pairing_of(o) is not None and can_see_organisation_work(current_user, pairing_of(o)))]


@bp.get("/")
def directory():
    if not permissions.can_view_directory(current_user):
        abort(403)
    return render_template("liaison/registry/directory.html", rows=queries.directory(_visible_institutions()),
                           label=label, mine=institution_of(current_user.organisation))


def _institution(org_id: int) -> Organisation:
    org = db.get_or_404(Organisation, org_id)
    if org.kind not in INSTITUTION_KINDS or not permissions.can_view_directory(current_user):
        abort(404)
    if org not in _visible_institutions():
        abort(404)
    return org


def _form(org: Organisation, formdata=None) -> DesignationForm:
    form = DesignationForm(formdata=formdata) if formdata is not None else DesignationForm()
    bodies = [o for o in org_choices() if in_subtree(o, org) and institution_of(o).id == org.id]
    people = [u for u in db.session.scalars(sa.select(User).where(User.active.is_(True),
              User.organisation_id.in_([o.id for o in bodies])).order_by(User.display_name))]
    form.set_choices(bodies, people)
    return form


@bp.route("/<int:org_id>", methods=["GET", "POST"])
def institution(org_id: int):
    org = _institution(org_id)
    can_designate = permissions.can_designate(current_user, org)
    form = _form(org) if can_designate else None
    if request.method == "POST":
        if not can_designate:
            abort(403)
        if form.validate_on_submit():
            try:
                row = services.designate(
                    actor=current_user, institution=org, body=db.session.get(Organisation, form.body.data),
                    person=db.session.get(User, form.person.data), contact_role=ContactRole(form.contact_role.data),
                    valid_from=form.valid_from.data, valid_to=form.valid_to.data, phone=form.phone.data,
                    email=form.email.data, note=form.note.data)
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
            else:
                commit()
                flash(_("已指定%(p)s为%(r)s。", p=row.person.display_name, r=label(row.contact_role)), "success")
                return redirect(url_for(".institution", org_id=org.id))
    return render_template("liaison/registry/institution.html", org=org, current=queries.current(org),
                           history=queries.history(org), form=form, end_form=EndForm(formdata=None),
                           can_end=lambda d: permissions.can_end(current_user, d), label=label), \
        422 if request.method == "POST" else 200


@bp.post("/designations/<int:designation_id>/end")
def end(designation_id: int):
    row = db.get_or_404(LiaisonDesignation, designation_id)
    org = _institution(row.institution_id)
    form = EndForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("；".join(errors), "error")
        return redirect(url_for(".institution", org_id=org.id))
    try:
        services.end_designation(row, actor=current_user, last_day=form.last_day.data)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_("已结束%(p)s的联络人指定。", p=row.person.display_name), "success")
    return redirect(url_for(".institution", org_id=org.id))
