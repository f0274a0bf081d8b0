from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import commit
from . import queries, services

bp = Blueprint("notifications", __name__, url_prefix="/inbox")


@bp.get("/")
def inbox():
    before = request.args.get("before", type=int)
    notes = queries.inbox(current_user.id, before_id=before, limit=51)
    return render_template("notifications/inbox.html", notes=notes[:50], more=len(notes) > 50)


@bp.post("/read")
def mark_all_read():
    count = services.mark_read(current_user)
    commit()
    flash(_("已将 %(n)d 条消息标为已读。", n=count), "success")
    return redirect(url_for(".inbox"))
