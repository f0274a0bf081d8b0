"""Administering referral types — the deadlines and flags every referral is computed with."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import can_manage_referral_types
from ..db import commit, db
from ..errors import ValidationFailed
from ..web.forms import apply_errors
from . import queries, services
from .forms import TypeForm
from .models import ReferralType

bp = Blueprint("referral_types", __name__, url_prefix="/admin/referral-types")


@bp.before_request
def require_admin():
    if not can_manage_referral_types(current_user):
        abort(403)


@bp.get("/")
def index():
    return render_template("referrals/types/index.html", types=queries.types_for(active_only=False))


@bp.route("/<int:type_id>", methods=["GET", "POST"])
def edit(type_id: int):
    rtype = db.get_or_404(ReferralType, type_id)
    form = TypeForm(obj=rtype)
    form.set_choices()
    if form.validate_on_submit():
        try:
            services.update_type(rtype, actor=current_user, expected_version=form.version.data, **form.values())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("事项类型“%(n)s”已保存。新的期限适用于此后发出的事项。", n=rtype.name), "success")
            return redirect(url_for(".index"))
    return render_template("referrals/types/form.html", form=form, rtype=rtype), \
        422 if request.method == "POST" else 200
