"""Who may see and who may add an attachment: whoever may see its owner, minus the other side's
internal files; uploads only by the two parties, and not once the owner is archived."""
from __future__ import annotations

from ..db import db
from ..referrals import permissions as referral_permissions
from ..referrals.models import Referral
from ..referrals.workflow import State
from .models import Attachment

# Owners from packages built on `oversight`, named (oversight never imports them): owner table →
# (model, can_view(user, owner), can_upload(user, owner)).
PACKAGE_OWNERS = {
    "liaison_meetings": ("liaison.meetings.models:Meeting", "liaison.meetings.permissions:can_view",
                         "liaison.meetings.permissions:can_attach"),
    # A clue's files, sent by the public: the clue's staff see them (oversight.clues).
    "clues": ("oversight.clues.models:Clue", "oversight.clues.permissions:can_view",
              "oversight.clues.permissions:can_attach"),
    # Evidence (佐证材料) of a rectification item's progress report: the responsible unit attaches,
    # both the unit and the owner committee read.
    "progress_reports": ("issues.models:ProgressReport", "issues.permissions:can_view_report",
                         "issues.permissions:can_attach_evidence"),
}


def _named(target: str):
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def can_download(user, attachment: Attachment) -> bool:
    if not user.is_authenticated:
        return False
    if attachment.internal and user.side.value != attachment.side:
        return False  # internal material stays on the uploader's side
    if (attachment.internal and attachment.owner_type != Referral.__tablename__
            and not user.has_role(*referral_permissions.STAFF_ROLES)):
        return False  # ...and, on meetings, with its liaison staff: not an invited deputy or handler
    if attachment.owner_type == Referral.__tablename__:
        # Usually already in the session (the page that lists the attachment loaded it).
        referral = db.session.get(Referral, attachment.owner_id)
        return referral is not None and referral_permissions.can_view(user, referral)
    if attachment.owner_type in PACKAGE_OWNERS:
        model, can_view, _upload = PACKAGE_OWNERS[attachment.owner_type]
        owner = db.session.get(_named(model), attachment.owner_id)
        return owner is not None and _named(can_view)(user, owner)
    return False  # an owner type this module does not know: nobody


def can_upload(user, owner) -> bool:
    if not user.is_authenticated:
        return False
    if isinstance(owner, Referral):
        return (referral_permissions.can_view(user, owner)
                and referral_permissions.user_side_of(user, owner) is not None
                and owner.state is not State.ARCHIVED)
    if getattr(owner, "__tablename__", None) in PACKAGE_OWNERS:
        return _named(PACKAGE_OWNERS[owner.__tablename__][2])(user, owner)
    return False
