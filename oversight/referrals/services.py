"""Every change to a referral. Each use case: check the workflow and the actor → change state →
timeline event → audit entry → notifications → flush. Nothing here commits.

The procuratorate → NPC direction's use cases live in `report_services.py`.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Role, User, UserRole
from ..accounts.permissions import can_manage_referral_types
from ..attachments import services as attachments
from ..audit import services as audit
from ..db import db, utcnow
from ..errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from ..notifications.services import notify
from ..orgs.models import Organisation, OrgKind
from ..orgs.permissions import institution_of
from ..workdays import PeriodUnit, today
from . import labels, permissions
from .deadlines import DueKind, current_due_of, due, local_date, rehandling_due, return_window_end
from .models import Approver, Classification, Referral, ReferralEvent, ReferralMessage, ReferralType, SerialCounter
from .workflow import Action, Direction, Evaluation, Outcome, Party, State

MAX_TITLE, MAX_TEXT = 200, 20_000


# --- the one path every transition takes ------------------------------------------------------

def check(referral: Referral, action: Action, actor, *, expected_version: int | None = None) -> None:
    """Raise unless `actor` may take `action` on `referral` now (state, side, role, organisation)."""
    if expected_version is not None and referral.version != expected_version:
        raise Conflict(_("该事项已被他人修改，请刷新后重试。"))
    if permissions.rule_for(referral, action) is None:
        raise InvalidTransition(_("事项当前处于“%(state)s”状态，不能执行“%(action)s”。",
                                  state=labels.state(referral.state), action=labels.action(action)))
    if actor is not None and not permissions.may_take(actor, referral, action):
        raise NotAllowed(_("您不能对此事项执行“%(action)s”：只有%(party)s的相应人员可以操作。",
                           action=labels.action(action), party=labels.party(referral, action)))
    # Lock the row (PostgreSQL; a SQLite writer holds the database already) and compare versions now:
    # a concurrent change then surfaces here as Conflict, not as StaleDataError from a later flush.
    stored = db.session.scalar(sa.select(Referral.version).where(Referral.id == referral.id).with_for_update())
    if stored is not None and stored != referral.version:
        raise Conflict(_("该事项已被他人修改，请刷新后重试。"))


def _side_label(actor) -> str:
    return actor.side.value if actor is not None else "system"


def apply(referral: Referral, action: Action, actor, *, note: str = "", target: State | None = None,
          summary: dict | None = None) -> ReferralEvent:
    """Move `referral` through `action` (already checked) and write the timeline and the audit."""
    rule = permissions.rule_for(referral, action)
    before_state, due_before = referral.state, referral.current_due
    referral.state = target or rule.target or referral.state
    referral.current_due = current_due_of(referral)
    referral.updated_at = utcnow()
    event = ReferralEvent(
        referral=referral, action=action.value, from_state=before_state.value, to_state=referral.state.value,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.display_name if actor is not None else "系统", side=_side_label(actor),
        note=note, due_before=due_before, due_after=referral.current_due, round=referral.round)
    db.session.add(event)
    db.session.flush()
    audit.record(f"referral.{action.value}", actor=actor, obj=referral, summary={
        "serial": referral.serial, "from": before_state.value, "to": referral.state.value,
        "due": referral.current_due.isoformat() if referral.current_due else None, **(summary or {})})
    return event


def _text(value: str | None, field: str, message: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    if len(value) > limit:
        raise ValidationFailed(_("内容不能超过 %(n)d 个字符。", n=limit), field=field)
    return value


def recipients(org: Organisation, *roles: Role) -> list[User]:
    """Active users inside `org` holding any of `roles` — not those of the institutions below it."""
    users = list(db.session.scalars(
        sa.select(User).join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.path.startswith(org.path), User.active.is_(True),
               User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))))
        .order_by(User.id)))
    home = institution_of(org).id
    return [u for u in users if institution_of(u.organisation).id == home]


def _tell(users, referral: Referral, kind: str, title: str, body: str = "") -> None:
    link = f"/referrals/{referral.id}"
    for user in {u.id: u for u in users}.values():
        notify(user, kind=kind, title=title, body=body, link=link)


def _receiver_staff(referral: Referral) -> list[User]:
    role = Role.PROCURATORATE_CONTACT if referral.direction is Direction.NPC_TO_PROCURATORATE else Role.NPC_STAFF
    return recipients(referral.receiver_org, role)


def _sender_staff(referral: Referral) -> list[User]:
    role = Role.NPC_STAFF if referral.direction is Direction.NPC_TO_PROCURATORATE else Role.PROCURATORATE_CONTACT
    people = recipients(referral.sender_org, role)
    if referral.deputy is not None:
        people.append(referral.deputy)
    return people


def _heading(referral: Referral) -> str:
    return f"{referral.serial or ''}《{referral.title}》".strip()


# --- creating and sending ---------------------------------------------------------------------

def create_referral(*, actor, rtype: ReferralType, receiver: Organisation, title: str, body: str,
                    deputy: User | None = None, classification: Classification | None = None,
                    client_token: str | None = None, sender: Organisation | None = None,
                    session_date: dt.date | None = None, parent: Referral | None = None) -> Referral:
    """A draft. The same `client_token` twice (a form submitted twice) yields the same referral."""
    if client_token:
        existing = db.session.scalar(sa.select(Referral).where(Referral.client_token == client_token))
        if existing is not None:
            return existing
    if actor is not None and not permissions.can_create(actor, rtype.direction):
        raise NotAllowed(_("您不能新建此方向的事项。"))
    if not rtype.active:
        raise ValidationFailed(_("事项类型“%(t)s”已停用。", t=rtype.name), field="type")
    if actor is not None and actor.has_role(Role.DEPUTY) and not actor.has_role(Role.NPC_STAFF):
        if not rtype.requires_deputy:
            raise NotAllowed(_("人大代表只能提出代表建议。"))
        deputy = actor
    sender = sender or (institution_of(actor.organisation) if actor is not None else None)
    if sender is None or (actor is not None and not permissions.acts_within(actor, sender)):
        raise NotAllowed(_("您只能以本单位名义移送事项。"))
    errors = {}
    wanted_receiver = OrgKind.PROCURATORATE if rtype.direction is Direction.NPC_TO_PROCURATORATE else OrgKind.NPC_COMMITTEE
    if receiver is None or receiver.kind is not wanted_receiver or not receiver.active:
        errors["receiver"] = (_("请选择接收的人民检察院。") if wanted_receiver is OrgKind.PROCURATORATE
                              else _("请选择接收的人大常委会。"))
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("标题不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if not body:
        errors["body"] = _("请填写事项内容。")
    elif len(body) > MAX_TEXT:
        errors["body"] = _("内容不能超过 %(n)d 个字符。", n=MAX_TEXT)
    if rtype.requires_deputy and (deputy is None or not deputy.has_role(Role.DEPUTY)):
        errors["deputy"] = _("代表建议须注明提出建议的人大代表。")
    if errors:
        raise ValidationFailed(errors)
    referral = Referral(direction=rtype.direction, type=rtype, sender_org=sender, receiver_org=receiver,
                        title=title, body=body, deputy=deputy, created_by=actor, parent=parent,
                        classification=classification or rtype.default_classification,
                        client_token=client_token or None, session_date=session_date, state=State.DRAFT)
    db.session.add(referral)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the same token raced in from a second request
        raise Conflict(_("该事项已提交，请勿重复提交。")) from exc
    audit.record("referral.create", actor=actor, obj=referral, summary={"type": rtype.code, "title": title})
    return referral


def next_serial(org: Organisation, year: int) -> str:
    """`PREFIX-YEAR-NNNN`, unique per sending organisation and year, never reused."""
    table = SerialCounter.__table__
    try:
        with db.session.begin_nested():
            db.session.execute(sa.insert(table).values(organisation_id=org.id, year=year, last=0))
    except IntegrityError:
        pass  # the counter exists already
    number = db.session.execute(
        sa.update(table).where(table.c.organisation_id == org.id, table.c.year == year)
        .values(last=table.c.last + 1).returning(table.c.last)).scalar_one()
    return f"{org.serial_prefix or org.code}-{year}-{number:04d}"


def _start_clock(referral: Referral) -> None:
    """Sending starts the acknowledgement, result and cap periods (3 months run from 交办)."""
    start = today()
    rtype = referral.type
    referral.sent_at = utcnow()
    referral.ack_due = due(rtype, DueKind.ACK, start)
    if referral.direction is Direction.PROCURATORATE_TO_NPC:
        return  # reports have an acknowledgement period; what the NPC then does has its own calendar
    referral.result_due = due(rtype, DueKind.RESULT, start)
    referral.cap_due = due(rtype, DueKind.CAP, start)
    if referral.cap_due and referral.result_due > referral.cap_due:
        referral.result_due = referral.cap_due


def send(referral: Referral, *, actor, expected_version: int | None = None) -> Referral:
    action = Action.SEND if referral.direction is Direction.NPC_TO_PROCURATORATE else Action.SUBMIT
    check(referral, action, actor, expected_version=expected_version)
    if not referral.receiver_org.active:
        raise ValidationFailed(_("接收单位“%(org)s”已停用，请改选接收单位。", org=referral.receiver_org.name))
    if referral.serial is None:
        referral.serial = next_serial(referral.sender_org, today().year)
    _start_clock(referral)
    apply(referral, action, actor)
    _tell(_receiver_staff(referral), referral, "received",
          _("收到新事项：%(h)s", h=_heading(referral)), _("来自%(org)s。", org=referral.sender_org.name))
    return referral


def withdraw(referral: Referral, *, actor, reason: str = "", expected_version: int | None = None) -> None:
    check(referral, Action.WITHDRAW, actor, expected_version=expected_version)
    was_sent = referral.state is not State.DRAFT
    apply(referral, Action.WITHDRAW, actor, note=(reason or "").strip())
    if was_sent:
        _tell(_receiver_staff(referral), referral, "withdrawn", _("事项已撤回：%(h)s", h=_heading(referral)))


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


# --- the receiver's steps ---------------------------------------------------------------------

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


def resend(referral: Referral, *, actor, receiver: Organisation, expected_version: int | None = None) -> None:
    """改送: send a returned referral to another receiver; the serial and history stay."""
    check(referral, Action.RESEND, actor, expected_version=expected_version)
    if receiver is None or receiver.kind is not OrgKind.PROCURATORATE or not receiver.active:
        raise ValidationFailed(_("请选择接收的人民检察院。"), field="receiver")
    if receiver.id == referral.receiver_org_id:
        raise ValidationFailed(_("请改选其他接收单位：原单位已退回。"), field="receiver")
    previous = referral.receiver_org.name
    referral.receiver_org = receiver
    referral.acknowledged_at = referral.procedural_due = None
    _start_clock(referral)
    apply(referral, Action.RESEND, actor, note=_("原接收单位：%(org)s", org=previous),
          summary={"receiver": receiver.code})
    _tell(_receiver_staff(referral), referral, "received", _("收到新事项：%(h)s", h=_heading(referral)))


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


def evaluate(referral: Referral, *, actor, evaluation: Evaluation, reasons: str = "",
             expected_version: int | None = None) -> None:
    """满意/基本满意 close the referral; 不满意 reopens it (or asks for clarification) while rounds remain."""
    check(referral, Action.EVALUATE, actor, expected_version=expected_version)
    if evaluation not in (Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED, Evaluation.DISSATISFIED):
        raise ValidationFailed(_("请选择评价结果。"), field="evaluation")
    reasons = (reasons or "").strip()
    if evaluation is Evaluation.DISSATISFIED and not reasons:  # before anything changes
        raise ValidationFailed(_("评价为“不满意”时须说明理由。"), field="reasons")
    referral.evaluation, referral.evaluation_reasons = evaluation, reasons or None
    referral.evaluated_at = utcnow()
    referral.evaluation_due = None
    rtype = referral.type
    if evaluation is not Evaluation.DISSATISFIED:
        referral.closed_at = utcnow()
        apply(referral, Action.EVALUATE, actor, note=labels.evaluation(evaluation) + (f"：{reasons}" if reasons else ""),
              target=State.CLOSED, summary={"evaluation": evaluation.value})
        _tell(_receiver_staff(referral), referral, "evaluated", _("事项已评价并办结：%(h)s", h=_heading(referral)),
              labels.evaluation(evaluation))
        return
    if rtype.dissatisfied_reopens and referral.round > rtype.max_rehandling_rounds:
        referral.closed_at = utcnow()
        apply(referral, Action.EVALUATE, actor, target=State.CLOSED, summary={"evaluation": evaluation.value},
              note=_("不满意：%(r)s（已重新办理 %(n)d 轮，转联席会议或专家评估）", r=reasons, n=rtype.max_rehandling_rounds))
        _tell(_receiver_staff(referral), referral, "evaluated", _("事项评价为不满意：%(h)s", h=_heading(referral)), reasons)
        return
    if rtype.dissatisfied_reopens:
        referral.round += 1
        note = _("不满意，重新办理（第 %(n)d 轮）：%(r)s", n=referral.round, r=reasons)
    else:
        note = _("不满意，要求补充说明：%(r)s", r=reasons)
    referral.result_due = rehandling_due(rtype, today())
    referral.replied_at = None
    apply(referral, Action.EVALUATE, actor, target=State.IN_PROGRESS, note=note,
          summary={"evaluation": evaluation.value, "round": referral.round})
    _tell(_receiver_staff(referral) + ([referral.handler] if referral.handler else []), referral, "reopened",
          _("事项需重新办理：%(h)s", h=_heading(referral)), reasons)


def close_without_feedback(referral: Referral) -> None:
    """The evaluation window passed after a reminder: 未反馈, left out of satisfaction figures."""
    check(referral, Action.CLOSE_WITHOUT_FEEDBACK, None)
    referral.evaluation = Evaluation.NO_FEEDBACK
    referral.evaluation_due = None
    referral.closed_at = utcnow()
    apply(referral, Action.CLOSE_WITHOUT_FEEDBACK, None, note=_("评价期限届满未反馈，按未反馈办结。"))


def urge(referral: Referral, *, actor, note: str = "", expected_version: int | None = None) -> None:
    check(referral, Action.URGE, actor, expected_version=expected_version)
    referral.urge_count += 1
    apply(referral, Action.URGE, actor, note=(note or "").strip(), summary={"urge_count": referral.urge_count})
    _tell(_receiver_staff(referral) + ([referral.handler] if referral.handler else []), referral, "urged",
          _("催办：%(h)s", h=_heading(referral)), (note or "").strip())


def archive(referral: Referral, *, actor, expected_version: int | None = None) -> None:
    check(referral, Action.ARCHIVE, actor, expected_version=expected_version)
    apply(referral, Action.ARCHIVE, actor)


# --- the thread -------------------------------------------------------------------------------

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


# --- exports -------------------------------------------------------------------------------------

def record_export(*, actor, what: str, rows: int, filters: dict | None = None, referral: Referral | None = None) -> None:
    """Audit an export (the search as XLSX, a referral's NPC-side log): who took which rows out."""
    audit.record(f"referral.export.{what}", actor=actor, obj=referral,
                 summary={"rows": rows, "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "")}})


# --- referral types (administration) -------------------------------------------------------------

# Largest sensible period per unit; a type's deadlines must lie between 1 and these.
PERIOD_LIMITS = {PeriodUnit.WORKING_DAYS: 250, PeriodUnit.DAYS: 366, PeriodUnit.MONTHS: 24}
TYPE_FIELDS = frozenset({
    "name", "description", "legal_basis", "ack_amount", "ack_unit", "return_window_days", "procedural_amount",
    "procedural_unit", "result_amount", "result_unit", "cap_months", "extension_approver", "max_extensions",
    "evaluated", "evaluation_window_days", "dissatisfied_reopens", "max_rehandling_rounds", "rehandling_amount",
    "rehandling_unit", "case_related", "roll_weekends", "default_classification", "active"})


def update_type(rtype: ReferralType, *, actor, expected_version: int, **fields) -> ReferralType:
    """Change a type's deadlines and flags. Referrals already sent keep the dates they were given;
    their deadline pages show where today's rules would give another date."""
    if actor is not None and not can_manage_referral_types(actor):
        raise NotAllowed(_("只有系统管理员可以修改事项类型。"))
    unknown = set(fields) - TYPE_FIELDS
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if rtype.version != expected_version:
        raise Conflict(_("该事项类型已被他人修改，请刷新后重试。"))
    new = {name: fields.get(name, getattr(rtype, name)) for name in TYPE_FIELDS}
    errors = {}
    name = (new["name"] or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("请填写名称（不超过 60 个字符）。")
    if len(new["legal_basis"] or "") > 300:
        errors["legal_basis"] = _("依据不能超过 300 个字符。")
    for amount, unit_ in (("ack_amount", "ack_unit"), ("procedural_amount", "procedural_unit"),
                          ("result_amount", "result_unit"), ("rehandling_amount", "rehandling_unit")):
        value, limit = new[amount], PERIOD_LIMITS[PeriodUnit(new[unit_])]
        if value is None and amount == "procedural_amount":
            continue
        if value is None or not 1 <= value <= limit:
            errors[amount] = _("须为 1 至 %(p)s。", p=labels.period(limit, PeriodUnit(new[unit_])))
    for field, low, high in (("return_window_days", 1, 60), ("evaluation_window_days", 1, 60),
                             ("max_extensions", 0, 5), ("max_rehandling_rounds", 0, 5), ("cap_months", 1, 24)):
        value = new[field]
        if value is None and field == "cap_months":
            continue
        if value is None or not low <= value <= high:
            errors[field] = _("须在 %(a)d 至 %(b)d 之间。", a=low, b=high)
    if ("cap_months" not in errors and "result_amount" not in errors and new["cap_months"]
            and PeriodUnit(new["result_unit"]) is PeriodUnit.MONTHS and new["result_amount"] > new["cap_months"]):
        errors["cap_months"] = _("最长办理期限不能短于办理期限。")
    if errors:
        raise ValidationFailed(errors)
    new.update(name=name, description=(new["description"] or "").strip(), legal_basis=(new["legal_basis"] or "").strip(),
               ack_unit=PeriodUnit(new["ack_unit"]), procedural_unit=PeriodUnit(new["procedural_unit"]),
               result_unit=PeriodUnit(new["result_unit"]), rehandling_unit=PeriodUnit(new["rehandling_unit"]),
               extension_approver=Approver(new["extension_approver"]),
               default_classification=Classification(new["default_classification"]))
    changes = {k: [getattr(rtype, k), v] for k, v in sorted(new.items()) if getattr(rtype, k) != v}
    for key, (_old, value) in changes.items():
        setattr(rtype, key, value)
    if changes:
        db.session.flush()
        audit.record("referral_type.update", actor=actor, obj=rtype, summary={"code": rtype.code, "changes": changes})
    return rtype
