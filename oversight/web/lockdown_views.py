"""The emergency lock page (熔断): the security admin sees the state and switches it, with a notice."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from .. import lockdown
from ..db import commit, db
from ..errors import Conflict, ValidationFailed

bp = Blueprint("lockdown", __name__, url_prefix="/admin/lockdown")


class LockForm(FlaskForm):
    notice = TextAreaField(_l("对外公告"), validators=[Optional(), Length(max=lockdown.NOTICE_MAX)],
                           render_kw={"rows": 4},
                           description=_l("熔断期间，公开门户、订阅和所有导出下载都显示这段公告。"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


@bp.get("/")
def index():
    if not lockdown.can_switch(current_user):
        abort(403)
    lock = lockdown.current()
    form = LockForm(data={"notice": lock.notice if lock else "", "version": lock.version if lock else None})
    return render_template("admin/lockdown.html", lock=lock, form=form)


def _switch(active: bool):
    if not lockdown.can_switch(current_user):
        abort(403)
    form = LockForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        lockdown.switch(actor=current_user, active=active, notice=form.notice.data or "",
                        expected_version=form.version.data)
        commit()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("熔断已开启，公开门户和导出下载已暂停。") if active else _("熔断已关闭，服务已恢复。"), "success")
    return redirect(url_for(".index"))


@bp.post("/on")
def switch_on():
    return _switch(True)


@bp.post("/off")
def switch_off():
    return _switch(False)
