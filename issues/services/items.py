"""A rectification item's steps: progress reports, sign-off requests, sign-off or return, accepting
progress on evidence, urging with escalation, extensions, reopening when the problem comes back."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.accounts.models import Role
from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.permissions import institution_of
from oversight.workdays import add_days, today

from .. import labels, permissions
from ..models import ItemEvent, ProgressReport, RectificationItem
from ..workflow import ITEM_TRANSITIONS, ItemAction, ItemState, Party, TopicAction, TopicState
from . import topics
from .common import actor_label, owner_staff, side_of, tell, text, unit_people

ESCALATE_AT = 2  # from the second urge on, 督办 also reaches the reviewers and the unit's superior


def check(item: RectificationItem, action: ItemAction, actor, *, expected_version: int | None = None) -> None:
    """Raise unless `actor` may take `action` on `item` now."""
    if expected_version is not None and item.version != expected_version:
        raise Conflict(_("该整改事项已被他人修改，请刷新后重试。"))
    rule = ITEM_TRANSITIONS.get((item.state, action))
    if rule is None:
        raise InvalidTransition(_("整改事项当前处于“%(state)s”状态，不能执行“%(action)s”。",
                                  state=labels.item_state(item.state), action=labels.item_action(action)))
    if actor is not None and not permissions.may_act_item(actor, item, action):
        if rule.party is Party.NPC and permissions.unit_of_user(actor, item.unit):
            raise NotAllowed(_("“%(action)s”须由人大常委会作出，责任单位不能对本单位的整改事项执行此操作。",
                               action=labels.item_action(action)))
        if item.issued_in is None:
            raise NotAllowed(_("该整改事项尚未随清单印发。"))
        raise NotAllowed(_("您不能对此整改事项执行“%(action)s”：只有%(party)s可以操作。",
                           action=labels.item_action(action), party=labels.party(rule.party)))
    if actor is not None and action in permissions.ACCEPTING and permissions.entered_progress(actor, item):
        raise NotAllowed(_("录入进展的人员不能同时验收销号，请由其他工作人员或审核人办理。"))
    stored = db.session.scalar(sa.select(RectificationItem.version)
                               .where(RectificationItem.id == item.id).with_for_update())
    if stored is not None and stored != item.version:
        raise Conflict(_("该整改事项已被他人修改，请刷新后重试。"))


def apply(item: RectificationItem, action: ItemAction, actor, *, note: str = "", due_before: dt.date | None = None,
          summary: dict | None = None) -> ItemEvent:
    rule = ITEM_TRANSITIONS[(item.state, action)]
    before = item.state
    item.state = rule.target or item.state
    item.updated_at = utcnow()
    event = ItemEvent(item=item, action=action.value, from_state=before.value, to_state=item.state.value,
                      actor_id=actor.id if actor is not None else None, actor_label=actor_label(actor),
                      side=side_of(actor), note=note, due_before=due_before or item.due_date, due_after=item.due_date)
    db.session.add(event)
    db.session.flush()
    audit.record(f"rectification.{action.value}", actor=actor, obj=item, summary={
        "topic": item.topic_id, "from": before.value, "to": item.state.value,
        "reported": item.reported_percent, "accepted": item.accepted_percent, **(summary or {})})
    topic = item.topic
    if topic.state is TopicState.ISSUED and item.state is not ItemState.PENDING:
        topics.apply(topic, TopicAction.START, None)  # the first item under way: the topic is rectifying
    return event


def _link(item: RectificationItem) -> str:
    return f"/topics/items/{item.id}"


def _heading(item: RectificationItem) -> str:
    return f"《{item.topic.title}》{item.unit.name}：{item.measures[:40]}"


def _to_unit(item, kind, title, body=""):
    return tell(unit_people(item.unit), kind=kind, title=title, body=body, link=_link(item))


def _to_npc(item, kind, title, body=""):
    return tell(owner_staff(item.topic.owner_org), kind=kind, title=title, body=body, link=_link(item))


def start(item: RectificationItem, *, actor, expected_version: int | None = None) -> None:
    check(item, ItemAction.START, actor, expected_version=expected_version)
    apply(item, ItemAction.START, actor)


def report_progress(item: RectificationItem, *, actor, percent: int | None, text_: str, evidence: str = "",
                    lower_reason: str = "", expected_version: int | None = None) -> ProgressReport:
    """报告进展: 0–100 %; lower than last time only with a reason. Starts a pending item."""
    check(item, ItemAction.REPORT_PROGRESS, actor, expected_version=expected_version)
    errors = {}
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = _("进展百分比必须是 0 到 100 之间的整数。")
    lower_reason = (lower_reason or "").strip()
    if percent is not None and 0 <= percent < item.reported_percent and not lower_reason:
        errors["lower_reason"] = _("本次进展（%(p)d%%）低于上次报告的 %(q)d%%，请说明原因。",
                                   p=percent, q=item.reported_percent)
    if not (text_ or "").strip():
        errors["text"] = _("请填写进展情况。")
    if errors:
        raise ValidationFailed(errors)
    on_behalf = permissions.on_behalf(item.unit)
    report = ProgressReport(item=item, percent=percent, text=text(text_, "text", ""), on_behalf=on_behalf,
                            evidence=text(evidence, "evidence", "", required=False),
                            lower_reason=lower_reason or None, reported_by_id=actor.id)
    db.session.add(report)
    item.reported_percent = percent
    item.accepted_percent = min(item.accepted_percent, percent)
    item.progress_due = min(add_days(today(), item.progress_every_days), item.due_date)
    note = _("进展 %(p)d%%：%(t)s", p=percent, t=report.text)
    if on_behalf:
        note = _("（人大代为录入）") + note
    apply(item, ItemAction.REPORT_PROGRESS, actor, note=note, summary={"percent": percent, "on_behalf": on_behalf})
    _to_npc(item, "progress_reported", _("整改进展 %(p)d%%：%(h)s", p=percent, h=_heading(item)), report.text)
    return report


def request_signoff(item: RectificationItem, *, actor, note: str = "", expected_version: int | None = None) -> None:
    check(item, ItemAction.REQUEST_SIGNOFF, actor, expected_version=expected_version)
    if item.reported_percent != 100:
        raise ValidationFailed(_("申请销号前，须先报告整改进展为 100%%（目前为 %(p)d%%）。", p=item.reported_percent))
    apply(item, ItemAction.REQUEST_SIGNOFF, actor, note=(note or "").strip())
    _to_npc(item, "signoff_requested", _("申请销号：%(h)s", h=_heading(item)), note)


def sign_off(item: RectificationItem, *, actor, note: str = "", expected_version: int | None = None) -> None:
    """销号: the NPC side accepts the rectification as complete."""
    check(item, ItemAction.SIGN_OFF, actor, expected_version=expected_version)
    item.accepted_percent = 100
    item.signed_off_at = utcnow()
    item.return_reason = None
    apply(item, ItemAction.SIGN_OFF, actor, note=(note or "").strip())
    _to_unit(item, "signed_off", _("整改事项已销号：%(h)s", h=_heading(item)), note)


def return_item(item: RectificationItem, *, actor, reason: str, expected_version: int | None = None) -> None:
    """退回整改: with reasons, back to work."""
    check(item, ItemAction.RETURN, actor, expected_version=expected_version)
    item.return_reason = text(reason, "reason", _("退回整改须说明理由。"))
    apply(item, ItemAction.RETURN, actor, note=item.return_reason)
    _to_unit(item, "returned", _("整改事项被退回：%(h)s", h=_heading(item)), item.return_reason)


def accept_progress(item: RectificationItem, *, actor, percent: int | None, note: str = "",
                    expected_version: int | None = None) -> None:
    """认定进展: the share of the reported progress the NPC side accepts on the evidence."""
    check(item, ItemAction.ACCEPT_PROGRESS, actor, expected_version=expected_version)
    if percent is None or not 0 <= percent <= item.reported_percent:
        raise ValidationFailed(_("认定的进展应在 0 到单位报告的 %(p)d%% 之间。", p=item.reported_percent),
                               field="percent")
    item.accepted_percent = percent
    apply(item, ItemAction.ACCEPT_PROGRESS, actor, note=_("认定进展 %(p)d%%。%(n)s", p=percent, n=(note or "").strip()),
          summary={"accepted": percent})


def urge(item: RectificationItem, *, actor, note: str = "", expected_version: int | None = None) -> None:
    """督办; from the second time on it escalates to the reviewers and the unit's superior institution."""
    check(item, ItemAction.URGE, actor, expected_version=expected_version)
    item.urge_count += 1
    escalated = item.urge_count >= ESCALATE_AT
    apply(item, ItemAction.URGE, actor, note=(note or "").strip(),
          summary={"urge_count": item.urge_count, "escalated": escalated})
    title = _("督办（第 %(n)d 次）：%(h)s", n=item.urge_count, h=_heading(item))
    _to_unit(item, "urged", title, note)
    if escalated:
        people = owner_staff(item.topic.owner_org, Role.NPC_REVIEWER)
        home = institution_of(item.unit)
        if home.parent is not None:
            people += unit_people(institution_of(home.parent))
        tell(people, kind="urged_escalated", title=title, body=note, link=_link(item))


def request_extension(item: RectificationItem, *, actor, until: dt.date | None, reason: str,
                      expected_version: int | None = None) -> None:
    check(item, ItemAction.REQUEST_EXTENSION, actor, expected_version=expected_version)
    if item.extension_requested_until is not None:
        raise ValidationFailed(_("已有一项延期申请等待审批。"))
    if until is None or until <= item.due_date:
        raise ValidationFailed(_("延期后的期限须晚于当前期限（%(d)s）。", d=item.due_date.isoformat()), field="until")
    item.extension_reason = text(reason, "reason", _("请说明延期理由。"))
    item.extension_requested_until = until
    apply(item, ItemAction.REQUEST_EXTENSION, actor, note=_("申请延期至 %(d)s：%(r)s", d=until.isoformat(),
                                                            r=item.extension_reason))
    _to_npc(item, "extension_requested", _("申请延期：%(h)s", h=_heading(item)), item.extension_reason)


def decide_extension(item: RectificationItem, *, actor, approve: bool, note: str = "",
                     expected_version: int | None = None) -> None:
    check(item, ItemAction.DECIDE_EXTENSION, actor, expected_version=expected_version)
    if item.extension_requested_until is None:
        raise ValidationFailed(_("没有等待审批的延期申请。"))
    before = item.due_date
    if approve:
        item.due_date = item.extension_requested_until
        item.extensions_granted += 1
    until = item.extension_requested_until
    item.extension_requested_until, item.extension_reason = None, None
    word = _("同意延期至 %(d)s。", d=until.isoformat()) if approve else _("不同意延期。")
    apply(item, ItemAction.DECIDE_EXTENSION, actor, note=f"{word}{(note or '').strip()}", due_before=before,
          summary={"approved": approve})
    _to_unit(item, "extension_decided", _("延期申请已审批：%(h)s", h=_heading(item)), word)


def reopen(item: RectificationItem, *, actor, reason: str, expected_version: int | None = None) -> None:
    """重新整改: the problem came back (回潮); the accepted progress starts again from zero."""
    check(item, ItemAction.REOPEN, actor, expected_version=expected_version)
    reason = text(reason, "reason", _("请说明问题回潮的情况。"))
    item.accepted_percent = 0
    item.signed_off_at = None
    item.progress_due = min(add_days(today(), item.progress_every_days), item.due_date) if item.due_date > today() \
        else add_days(today(), item.progress_every_days)
    apply(item, ItemAction.REOPEN, actor, note=reason)
    _to_unit(item, "reopened", _("整改事项重新整改（问题回潮）：%(h)s", h=_heading(item)), reason)
