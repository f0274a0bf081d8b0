"""Administering accounts (system administrator only)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import commit, db
from ..errors import ValidationFailed
from ..orgs import queries as org_queries
from ..orgs.models import Organisation, OrgKind
from ..web.forms import apply_errors
from . import queries, services
from .forms import ResetPasswordForm, UserForm
from .models import Role, User
from .permissions import can_manage_users

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


@bp.before_request
def require_admin():
    if not can_manage_users(current_user):
        abort(403)


def _form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.set_role_choices()
    form.organisation.choices = [(0, _("— 请选择 —"))] + [
        (o.id, "\u3000" * o.depth + o.name) for o in org_queries.choices()]
    form.liaison_station.choices = [(0, _("— 无 —"))] + [
        (o.id, o.name) for o in org_queries.choices(kinds={OrgKind.LIAISON_STATION})]
    if user is not None and request.method == "GET":
        form.roles.data = [r.value for r in user.roles]
        form.organisation.data = user.organisation_id
        form.version.data = user.version
        if user.deputy_profile:
            form.delegation.data = user.deputy_profile.delegation
            form.term.data = user.deputy_profile.term
            form.liaison_station.data = user.deputy_profile.liaison_station_id or 0
    return form


def _deputy(form: UserForm) -> services.DeputyInfo | None:
    if not (form.delegation.data or form.term.data):
        return None
    station = db.session.get(Organisation, form.liaison_station.data) if form.liaison_station.data else None
    return services.DeputyInfo(form.delegation.data or "", form.term.data or "", station)


@bp.get("/")
def index():
    args = request.args
    size = current_app.config["PAGE_SIZE"]
    role = args.get("role") or None
    users = queries.list_users(q=args.get("q", ""), role=Role(role) if role in Role._value2member_map_ else None,
                               organisation_id=args.get("organisation", type=int),
                               after=args.get("after"), limit=size + 1)
    return render_template("admin/users/index.html", users=users[:size], more=len(users) > size,
                           roles=list(Role), organisations=org_queries.choices(active_only=False), args=args)


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _form()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            if not form.password.data:
                raise ValidationFailed(_("新账户须设置初始密码。"), field="password")
            if organisation is None:
                raise ValidationFailed(_("请选择所在单位。"), field="organisation")
            user = services.create_user(
                actor=current_user, username=form.username.data, display_name=form.display_name.data,
                organisation=organisation, roles={Role(r) for r in form.roles.data},
                password=form.password.data, email=form.email.data or "", phone=form.phone.data or "",
                deputy=_deputy(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("账户“%(u)s”已创建。", u=user.username), "success")
            return redirect(url_for(".edit", user_id=user.id))
    return render_template("admin/users/form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _form(user)
    del form.username, form.password
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            if organisation is None:
                raise ValidationFailed(_("请选择所在单位。"), field="organisation")
            services.update_user(
                user, actor=current_user, expected_version=int(form.version.data or 0),
                display_name=form.display_name.data, organisation=organisation,
                roles={Role(r) for r in form.roles.data}, email=form.email.data or "",
                phone=form.phone.data or "", active=form.active.data, deputy=_deputy(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("账户“%(u)s”已保存。", u=user.username), "success")
            return redirect(url_for(".edit", user_id=user.id))
    return render_template("admin/users/form.html", form=form, user=user, reset_form=ResetPasswordForm())


@bp.post("/<int:user_id>/unlock")
def unlock(user_id: int):
    user = db.get_or_404(User, user_id)
    services.unlock_user(user, actor=current_user)
    commit()
    flash(_("账户“%(u)s”已解锁。", u=user.username), "success")
    return redirect(url_for(".edit", user_id=user.id))


@bp.post("/<int:user_id>/password")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, actor=current_user, new_password=form.new_password.data)
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            commit()
            flash(_("已为“%(u)s”设置临时密码，其下次登录时须修改。", u=user.username), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for(".edit", user_id=user.id))
