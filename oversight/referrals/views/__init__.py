"""The referral pages, one module per kind of page: the lists and their export (`lists`), writing
a referral (`writing`), one referral with its actions (`detail`) and the workflow help (`help`)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask_login import current_user

from ...db import db
from .. import deadlines, labels, permissions
from ..models import Referral
from ..workflow import Direction

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
bp.add_app_template_global(labels, "referral_labels")
bp.add_app_template_global(deadlines.is_provisional, "due_provisional")


@bp.context_processor
def _create_directions():
    return {"create_directions": [d for d in Direction if permissions.can_create(current_user, d)]}


def _size() -> int:
    return current_app.config["PAGE_SIZE"]


def _load(referral_id: int) -> Referral:
    """The referral, or 404 — also for one the user may not see, so that guessing ids reveals nothing."""
    referral = db.get_or_404(Referral, referral_id)
    if not permissions.can_view(current_user, referral):
        abort(404)
    return referral


# The pages register their routes on `bp` when imported.
from . import detail, help, lists, writing  # noqa: E402,F401  (after `bp`, which they import)
