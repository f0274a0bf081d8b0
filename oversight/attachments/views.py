"""Uploading to a referral and downloading: both behind the same permission predicates."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, send_file
from flask_babel import gettext as _
from flask_login import current_user

from ..db import commit, db, writes_on_get
from ..errors import ValidationFailed
from ..referrals import permissions as referral_permissions
from ..referrals.models import Referral
from . import permissions, services
from .forms import UploadForm
from .models import Attachment

bp = Blueprint("attachments", __name__)


@bp.post("/referrals/<int:referral_id>/attachments")
def upload(referral_id: int):
    referral = db.get_or_404(Referral, referral_id)
    if not referral_permissions.can_view(current_user, referral):
        abort(404)
    if not permissions.can_upload(current_user, referral):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(f"/referrals/{referral.id}")
    try:
        attachment = services.store(referral, actor=current_user, upload_name=form.file.data.filename,
                                    stream=form.file.data.stream, internal=form.internal.data)
    except ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        commit()
        flash(_("附件“%(name)s”已上传。", name=attachment.filename), "success")
    return redirect(f"/referrals/{referral.id}")


@bp.get("/attachments/<int:attachment_id>")
@writes_on_get  # every download is audited
def download(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    if not permissions.can_download(current_user, attachment):
        abort(404)  # not "403": whether the file exists is itself not for everyone to learn
    path = services.path_for(attachment.sha256)
    if not path.is_file():
        abort(404)
    services.record_download(attachment, actor=current_user)
    commit()
    response = send_file(path, mimetype=services.content_type(attachment), as_attachment=True,
                         download_name=attachment.filename, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
