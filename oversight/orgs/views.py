"""The organisation directory (everyone) and its administration (system administrator)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import can_manage_organisations
from ..db import commit, db
from ..errors import ValidationFailed
from ..web.forms import apply_errors
from . import queries, services
from .forms import ImportForm, MoveForm, OrganisationForm, PairForm, VersionForm
from .models import Organisation, OrgKind, OrgLevel

bp = Blueprint("orgs", __name__, url_prefix="/organisations")


def _require_admin() -> None:
    if not can_manage_organisations(current_user):
        abort(403)


@bp.get("/")
def index():
    q = request.args.get("q", "").strip()
    orgs = queries.tree()
    if q:
        orgs = [o for o in orgs if q in o.name or q.lower() in o.code.lower() or q in o.short_name]
    return render_template("orgs/index.html", orgs=orgs, q=q, can_manage=can_manage_organisations(current_user))


@bp.get("/<int:org_id>")
def detail(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    manage = can_manage_organisations(current_user)
    ctx = dict(org=org, pair=queries.pairing_of(org), can_manage=manage, usage=queries.usage(org))
    if manage:
        move_form = MoveForm(version=org.version)
        move_form.parent.choices = [(0, _("（无上级）"))] + [
            (o.id, "\u3000" * o.depth + o.name) for o in queries.choices() if not o.path.startswith(org.path)]
        move_form.parent.data = org.parent_id or 0
        pair_form = PairForm()
        pair_form.procuratorate.choices = [(0, _("（不配对）"))] + [
            (o.id, o.name) for o in queries.choices(kinds={OrgKind.PROCURATORATE}) if o.level == org.level]
        pair_form.procuratorate.data = org.paired_procuratorate_id or 0
        ctx.update(move_form=move_form, pair_form=pair_form, version_form=VersionForm(version=org.version))
    return render_template("orgs/detail.html", **ctx)


@bp.route("/new", methods=["GET", "POST"])
def create():
    _require_admin()
    form = OrganisationForm(parent=request.args.get("parent", 0, type=int))
    form.set_choices(queries.choices())
    if form.validate_on_submit():
        parent = db.session.get(Organisation, form.parent.data) if form.parent.data else None
        try:
            org = services.create_organisation(
                actor=current_user, code=form.code.data, name=form.name.data, kind=OrgKind(form.kind.data),
                level=OrgLevel(form.level.data), parent=parent, short_name=form.short_name.data or "",
                serial_prefix=form.serial_prefix.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("机构“%(name)s”已创建。", name=org.name), "success")
            return redirect(url_for(".detail", org_id=org.id))
    return render_template("orgs/form.html", form=form, org=None)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
def edit(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org)
    form.set_choices(queries.choices())
    del form.kind, form.parent
    if request.method == "GET":
        form.level.data, form.version.data = org.level.value, org.version
    if form.validate_on_submit():
        try:
            services.update_organisation(
                org, actor=current_user, expected_version=int(form.version.data or 0), code=form.code.data,
                name=form.name.data, level=OrgLevel(form.level.data), short_name=form.short_name.data or "",
                serial_prefix=form.serial_prefix.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("机构“%(name)s”已保存。", name=org.name), "success")
            return redirect(url_for(".detail", org_id=org.id))
    return render_template("orgs/form.html", form=form, org=org)


@bp.post("/<int:org_id>/move")
def move(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    form = MoveForm()
    form.parent.choices = [(o.id, o.name) for o in queries.choices()] + [(0, "")]
    if form.validate_on_submit():
        parent = db.session.get(Organisation, form.parent.data) if form.parent.data else None
        try:
            services.move_organisation(org, actor=current_user, expected_version=int(form.version.data or 0),
                                       new_parent=parent)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            commit()
            flash(_("机构“%(name)s”已移动。", name=org.name), "success")
    return redirect(url_for(".detail", org_id=org.id))


@bp.post("/<int:org_id>/pair")
def pair(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    form = PairForm()
    form.procuratorate.choices = [(o.id, o.name) for o in queries.choices(kinds={OrgKind.PROCURATORATE})] + [(0, "")]
    if form.validate_on_submit():
        target = db.session.get(Organisation, form.procuratorate.data) if form.procuratorate.data else None
        try:
            services.set_pairing(org, actor=current_user, procuratorate=target)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            commit()
            flash(_("配对关系已保存。"), "success")
    return redirect(url_for(".detail", org_id=org.id))


@bp.post("/<int:org_id>/active")
def set_active(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    form = VersionForm()
    active = request.form.get("active") == "1"
    if form.validate_on_submit():
        try:
            services.set_active(org, actor=current_user, expected_version=int(form.version.data or 0), active=active)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            commit()
            flash(_("机构“%(name)s”已启用。", name=org.name) if active
                  else _("机构“%(name)s”已停用。", name=org.name), "success")
    return redirect(url_for(".detail", org_id=org.id))


@bp.post("/<int:org_id>/delete")
def delete(org_id: int):
    _require_admin()
    org = db.get_or_404(Organisation, org_id)
    name = org.name
    try:
        services.delete_organisation(org, actor=current_user)
    except ValidationFailed as exc:
        flash(exc.message, "error")
        return redirect(url_for(".detail", org_id=org.id))
    commit()
    flash(_("机构“%(name)s”已删除。", name=name), "success")
    return redirect(url_for(".index"))


@bp.route("/import", methods=["GET", "POST"])
def import_sheet():
    _require_admin()
    from .imports import import_organisations, read_sheet

    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.sheet.data
        try:
            report = import_organisations(read_sheet(upload.filename, upload.read()), actor=current_user)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        if report is not None and report.ok:
            commit()
            flash(_("已导入 %(n)d 个机构。", n=report.created), "success")
            return redirect(url_for(".index"))
        db.session.rollback()  # nothing half-saved: the whole sheet or none of it
    return render_template("orgs/import.html", form=form, report=report)
