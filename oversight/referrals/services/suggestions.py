"""Deputies' suggestions: a case-specific one becomes a deputy's letter, and consultations (面商)
with the deputy are recorded."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...errors import ValidationFailed
from ...workdays import today
from ..deadlines import DueKind, due, local_date
from ..models import Referral, ReferralType
from ..workflow import Action
from .transitions import _text, apply, check


def convert_to_letter(referral: Referral, *, actor, letter_type: ReferralType, reason: str,
                      expected_version: int | None = None) -> None:
    """A suggestion about a specific case becomes a deputy's letter; its history stays with it."""
    check(referral, Action.CONVERT, actor, expected_version=expected_version)
    if not referral.type.requires_deputy:
        raise ValidationFailed(_("只有代表建议可以转为代表来信。"))
    if letter_type.direction is not referral.direction or letter_type.requires_deputy:
        raise ValidationFailed(_("请选择代表来信类型。"), field="type")
    reason = _text(reason, "reason", _("请说明转为代表来信的理由（如：涉及具体案件）。"))
    old = referral.type.name
    referral.type = letter_type
    if referral.sent_at is not None:  # the clocks now follow the letter's rules
        start = local_date(referral.sent_at)
        referral.ack_due = due(letter_type, DueKind.ACK, start)
        referral.result_due = due(letter_type, DueKind.RESULT, start)
        referral.cap_due = due(letter_type, DueKind.CAP, start)
    apply(referral, Action.CONVERT, actor, note=_("由“%(old)s”转为“%(new)s”：%(r)s", old=old, new=letter_type.name, r=reason),
          summary={"from_type": old, "to_type": letter_type.code})


def record_consultation(referral: Referral, *, actor, held_on: dt.date, note: str,
                        expected_version: int | None = None) -> None:
    """面商: the handling side met the deputy; recorded on the timeline."""
    check(referral, Action.CONSULT, actor, expected_version=expected_version)
    if referral.deputy_id is None:
        raise ValidationFailed(_("面商是与提出建议的代表当面沟通，此事项没有提出建议的代表。"))
    if held_on is None or held_on > today():
        raise ValidationFailed(_("请填写已举行面商的日期。"), field="held_on")
    note = _text(note, "note", _("请记录面商情况。"))
    apply(referral, Action.CONSULT, actor, note=_("%(d)s 面商：%(n)s", d=held_on.isoformat(), n=note))
