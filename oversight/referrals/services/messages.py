"""The thread between the two sides' liaison persons, and the record of what was exported."""
from __future__ import annotations

from flask_babel import gettext as _

from ...audit import services as audit
from ...db import db
from ...errors import NotAllowed, ValidationFailed
from .. import permissions
from ..models import Referral, ReferralMessage
from ..workflow import Party, State
from .transitions import _heading, _receiver_staff, _sender_staff, _tell, _text


def post_message(referral: Referral, *, actor, body: str, internal: bool = False) -> ReferralMessage:
    """A message between the liaison persons; an internal note stays on the author's side. Never edited."""
    if not permissions.can_view(actor, referral) or actor.side.value not in ("npc", "procuratorate"):
        raise NotAllowed(_("您不能在此事项下留言。"))
    if referral.state is State.DRAFT and not internal:
        raise ValidationFailed(_("草稿尚未移送，只能添加内部备注。"), field="body")
    body = _text(body, "body", _("请填写留言内容。"), limit=5000)
    message = ReferralMessage(referral_id=referral.id, author=actor, side=actor.side.value, internal=internal, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record("referral.message", actor=actor, obj=referral, summary={"message": message.id, "internal": internal})
    if not internal:
        other = _receiver_staff(referral) if permissions.user_side_of(actor, referral) is Party.SENDER else _sender_staff(referral)
        _tell([u for u in other if u.id != actor.id], referral, "message", _("新留言：%(h)s", h=_heading(referral)), body[:200])
    return message


def record_export(*, actor, what: str, rows: int, filters: dict | None = None, referral: Referral | None = None) -> None:
    """Audit an export (the search as XLSX, a referral's NPC-side log): who took which rows out."""
    audit.record(f"referral.export.{what}", actor=actor, obj=referral,
                 summary={"rows": rows, "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "")}})
