"""Who may see and who may add an attachment: whoever may see its owner, minus the other side's
internal files; uploads only by the two parties, and not once the owner is archived."""
from __future__ import annotations

from ..db import db
from ..referrals import permissions as referral_permissions
from ..referrals.models import Referral
from ..referrals.workflow import State
from .models import Attachment


def can_download(user, attachment: Attachment) -> bool:
    if not user.is_authenticated:
        return False
    if attachment.internal and user.side.value != attachment.side:
        return False  # internal material stays on the uploader's side
    if attachment.owner_type == Referral.__tablename__:
        # Usually already in the session (the page that lists the attachment loaded it).
        referral = db.session.get(Referral, attachment.owner_id)
        return referral is not None and referral_permissions.can_view(user, referral)
    return False  # an owner type this module does not know: nobody


def can_upload(user, owner) -> bool:
    if not user.is_authenticated:
        return False
    if isinstance(owner, Referral):
        return (referral_permissions.can_view(user, owner)
                and referral_permissions.user_side_of(user, owner) is not None
                and owner.state is not State.ARCHIVED)
    return False
