"""The receiver's steps: acknowledge, return, accept, assign, ask for more time (and the sender's
decision on it), and reply with the result."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...accounts.models import Role, User
from ...attachments import services as attachments
from ...db import utcnow
from ...errors import ValidationFailed
from ...orgs.models import Organisation
from ...orgs.permissions import institution_of
from ...workdays import today
from .. import labels
from ..deadlines import DueKind, due, return_window_end
from ..models import Referral
from ..workflow import Action, Outcome
from .transitions import _heading, _receiver_staff, _sender_staff, _tell, _text, apply, check, recipients


def acknowledge(referral: Referral, *, actor, expected_version: int | None = None) -> None:
    check(referral, Action.ACKNOWLEDGE, actor, expected_version=expected_version)
    referral.acknowledged_at = utcnow()
    referral.procedural_due = due(referral.type, DueKind.PROCEDURAL, today())
    apply(referral, Action.ACKNOWLEDGE, actor)


def return_referral(referral: Referral, *, actor, reason: str, suggested_receiver: Organisation | None,
                    expected_version: int | None = None) -> None:
    """退回: wrong jurisdiction, with the reason and where it should go instead."""
    check(referral, Action.RETURN, actor, expected_version=expected_version)
    window_end = return_window_end(referral)
    if window_end is not None and today() > window_end:
        raise ValidationFailed(_("退回期限已于 %(d)s 届满（发出后 %(n)d 个工作日内可以退回），请受理后办理，"
                                 "或通过留言与发出方协商。", d=window_end.isoformat(), n=referral.type.return_window_days))
    reason = _text(reason, "reason", _("退回须说明理由。"))
    if suggested_receiver is None:
        raise ValidationFailed(_("退回须注明建议的接收单位。"), field="suggested_receiver")
    if suggested_receiver.id == referral.receiver_org_id:
        raise ValidationFailed(_("建议的接收单位不能是本单位。"), field="suggested_receiver")
    referral.return_reason, referral.suggested_receiver = reason, suggested_receiver
    apply(referral, Action.RETURN, actor, note=reason,
          summary={"suggested_receiver": suggested_receiver.code})
    _tell(_sender_staff(referral), referral, "returned", _("事项被退回：%(h)s", h=_heading(referral)), reason)


def accept(referral: Referral, *, actor, procedural_reply: str, expected_version: int | None = None) -> None:
    check(referral, Action.ACCEPT, actor, expected_version=expected_version)
    referral.procedural_reply = _text(procedural_reply, "procedural_reply", _("受理须填写程序性答复。"))
    referral.accepted_at = utcnow()
    apply(referral, Action.ACCEPT, actor, note=referral.procedural_reply)
    _tell(_sender_staff(referral), referral, "accepted", _("事项已受理：%(h)s", h=_heading(referral)),
          referral.procedural_reply)


def assign(referral: Referral, *, actor, department: Organisation, handler: User | None,
           expected_version: int | None = None) -> None:
    """交办 inside the procuratorate: to one of its departments and, optionally, a handler there."""
    check(referral, Action.ASSIGN, actor, expected_version=expected_version)
    if department is None or institution_of(department).id != referral.receiver_org_id:
        raise ValidationFailed(_("请选择本院的内设部门。"), field="department")
    if handler is not None and (not handler.organisation.path.startswith(department.path)
                                or not handler.has_role(Role.PROCURATORATE_HANDLER, Role.PROCURATORATE_CONTACT)
                                or not handler.active):
        raise ValidationFailed(_("承办人须是该部门的在岗承办人员。"), field="handler")
    referral.department, referral.handler = department, handler
    referral.assigned_at = referral.assigned_at or utcnow()
    label = department.name + (f"（{handler.display_name}）" if handler else "")
    apply(referral, Action.ASSIGN, actor, note=_("交由%(who)s办理", who=label),
          summary={"department": department.code, "handler": handler.username if handler else None})
    if handler is not None:
        _tell([handler], referral, "assigned", _("交办给您的事项：%(h)s", h=_heading(referral)))


def request_extension(referral: Referral, *, actor, until: dt.date, reason: str,
                      expected_version: int | None = None) -> None:
    check(referral, Action.REQUEST_EXTENSION, actor, expected_version=expected_version)
    if referral.extension_requested_until is not None:
        raise ValidationFailed(_("已有延期申请待审批。"))
    if referral.extensions_granted >= referral.type.max_extensions:
        raise ValidationFailed(_("此类事项最多可延期 %(n)d 次。", n=referral.type.max_extensions))
    reason = _text(reason, "reason", _("申请延期须说明理由。"))
    if until is None or referral.result_due is None or until <= referral.result_due:
        raise ValidationFailed(_("延期后的日期须晚于当前办理期限（%(d)s）。",
                                 d=referral.result_due.isoformat() if referral.result_due else "—"), field="until")
    if referral.cap_due and until > referral.cap_due:
        raise ValidationFailed(_("不能超过最长办理期限 %(d)s（自交办之日起计算）。", d=referral.cap_due.isoformat()),
                               field="until")
    referral.extension_requested_until, referral.extension_reason = until, reason
    apply(referral, Action.REQUEST_EXTENSION, actor, note=_("申请延期至 %(d)s：%(r)s", d=until.isoformat(), r=reason))
    approver_side = referral.sender_org if referral.type.extension_approver.value == "sender" else referral.receiver_org
    role = Role.NPC_STAFF if approver_side is referral.sender_org else Role.PROCURATORATE_CONTACT
    _tell(recipients(approver_side, role), referral, "extension_asked",
          _("延期申请待审批：%(h)s", h=_heading(referral)), reason)


def decide_extension(referral: Referral, *, actor, approve: bool, note: str = "",
                     expected_version: int | None = None) -> None:
    check(referral, Action.DECIDE_EXTENSION, actor, expected_version=expected_version)
    until = referral.extension_requested_until
    if until is None:
        raise ValidationFailed(_("没有待审批的延期申请。"))
    note = (note or "").strip()
    if approve:
        if referral.cap_due and until > referral.cap_due:
            raise ValidationFailed(_("不能超过最长办理期限 %(d)s。", d=referral.cap_due.isoformat()))
        referral.result_due = until
        referral.extensions_granted += 1
        text = _("同意延期至 %(d)s", d=until.isoformat())
    else:
        if not note:
            raise ValidationFailed(_("不同意延期须说明理由。"), field="note")
        text = _("不同意延期")
    referral.extension_requested_until = referral.extension_reason = None
    apply(referral, Action.DECIDE_EXTENSION, actor, note=f"{text}{'：' + note if note else ''}",
          summary={"approved": approve, "until": until.isoformat()})
    _tell(_receiver_staff(referral) + ([referral.handler] if referral.handler else []), referral,
          "extension_decided", _("延期申请已审批：%(h)s", h=_heading(referral)), text)


def reply(referral: Referral, *, actor, outcome: Outcome, text: str, files=(),
          expected_version: int | None = None) -> None:
    """答复 with the result category, the text and result attachments (`files`: (name, stream) pairs).
    An extension request still pending lapses — the reply ends the period it was asked for — and the
    reply's timeline line says so."""
    check(referral, Action.REPLY, actor, expected_version=expected_version)
    if outcome is None:
        raise ValidationFailed(_("请选择办理结果。"), field="outcome")
    text = _text(text, "text", _("请填写答复内容。"))
    stored = []
    for name, stream in files:
        try:
            stored.append(attachments.store(referral, actor=actor, upload_name=name, stream=stream))
        except ValidationFailed as exc:  # the form's field is `attachments`
            raise ValidationFailed(_("附件“%(n)s”：%(m)s", n=name, m=exc.message), field="attachments") from exc
    lapsed = referral.extension_requested_until
    referral.extension_requested_until = referral.extension_reason = None
    referral.reply_text = text
    referral.outcome = outcome
    referral.replied_at = utcnow()
    referral.evaluation_due = due(referral.type, DueKind.EVALUATION, today())
    referral.evaluation_reminded = False
    note = [text]
    if stored:
        note.append(_("附件：%(f)s", f="、".join(a.filename for a in stored)))
    if lapsed:  # said on the reply's own timeline line: one transition, one event, one audit entry
        note.append(_("（延期申请失效：已答复，申请延期至 %(d)s 的请求不再审批。）", d=lapsed.isoformat()))
    apply(referral, Action.REPLY, actor, note="\n".join(note),
          summary={"outcome": outcome.value, "attachments": [a.id for a in stored],
                   "extension_lapsed": lapsed.isoformat() if lapsed else None})
    _tell(_sender_staff(referral), referral, "evaluation_asked",
          _("事项已答复，请评价：%(h)s", h=_heading(referral)), labels.outcome(outcome))
