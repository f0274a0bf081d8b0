"""Writing a referral (移送) or a report (报送): the form, saved as a draft or sent at once."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.models import User
from ...db import commit, db
from ...errors import ValidationFailed
from ...orgs.models import Organisation
from ...orgs.permissions import institution_of
from ...orgs.queries import pairing_of
from ...web.forms import apply_errors
from .. import permissions, services
from ..forms import ReferralForm
from ..models import Classification, ReferralType
from ..workflow import Direction, State
from . import bp


@bp.route("/new", methods=["GET", "POST"])
def create():
    try:
        direction = Direction(request.args.get("direction", ""))
    except ValueError:
        abort(404)
    if not permissions.can_create(current_user, direction):
        abort(403)
    form = ReferralForm()
    form.set_choices(current_user, direction)
    deputy_field = direction is Direction.NPC_TO_PROCURATORATE and current_user.has_role(*permissions.STAFF_ROLES)
    if not deputy_field:
        del form.deputy
    if direction is Direction.NPC_TO_PROCURATORATE:
        del form.session_date
    can_send = permissions.can_send_new(current_user, direction)
    if not can_send:
        del form.send_now
    if request.method == "GET":
        form.client_token.data = uuid.uuid4().hex
        counterpart = pairing_of(institution_of(current_user.organisation))
        form.receiver.data = counterpart.id if counterpart else 0
    if form.validate_on_submit():
        try:
            referral = services.create_referral(
                actor=current_user, rtype=db.session.get(ReferralType, form.type.data),
                receiver=db.session.get(Organisation, form.receiver.data), title=form.title.data, body=form.body.data,
                deputy=db.session.get(User, form.deputy.data) if deputy_field and form.deputy.data else None,
                classification=Classification(form.classification.data) if form.classification.data else None,
                client_token=form.client_token.data or None,
                session_date=form.session_date.data if "session_date" in form else None)
            if can_send and form.send_now.data and referral.state is State.DRAFT:
                services.send(referral, actor=current_user)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("事项“%(t)s”已保存为草稿。", t=referral.title) if referral.state is State.DRAFT
                  else _("事项“%(t)s”已发出，编号 %(s)s。", t=referral.title, s=referral.serial), "success")
            return redirect(url_for(".detail", referral_id=referral.id))
    heading = (_("新建移送事项（人大 → 检察院）") if direction is Direction.NPC_TO_PROCURATORATE
               else _("新建报送事项（检察院 → 人大）"))
    return render_template("referrals/new.html", form=form, direction=direction, heading=heading), \
        422 if request.method == "POST" else 200
