"""Action items: done, dropped with a reason, or turned into a referral that carries their context."""
from __future__ import annotations

from flask_babel import gettext as _

from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.permissions import institution_of
from oversight.referrals import services as referral_services
from oversight.referrals.models import Referral, ReferralType
from ..forms import to_local
from ..labels import label
from . import permissions
from .models import ActionItem
from .services import _tell_owner
from .workflow import ITEM_TRANSITIONS, ItemAction, ItemState


def check(item: ActionItem, action: ItemAction, actor, *, expected_version: int | None = None) -> None:
    if expected_version is not None and item.version != expected_version:
        raise Conflict(_("该待办事项已被他人修改，请刷新后重试。"))
    if (item.state, action) not in ITEM_TRANSITIONS:
        raise InvalidTransition(_("待办事项当前处于“%(s)s”状态，不能“%(a)s”。", s=label(item.state), a=label(action)))
    if actor is not None and not permissions.can_act_item(actor, item, action):
        raise NotAllowed(_("您不能对此待办事项“%(a)s”。", a=label(action)))


def complete(item: ActionItem, *, actor, note: str = "", expected_version: int | None = None) -> ActionItem:
    check(item, ItemAction.COMPLETE, actor, expected_version=expected_version)
    item.state, item.closed_at, item.done_note = ItemState.DONE, utcnow(), (note or "").strip()
    db.session.flush()
    audit.record("liaison.action_item.complete", actor=actor, obj=item, summary={"note": item.done_note[:200]})
    return item


def drop(item: ActionItem, *, actor, reason: str, expected_version: int | None = None) -> ActionItem:
    check(item, ItemAction.DROP, actor, expected_version=expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("撤销待办事项须说明理由。"), field="reason")
    item.state, item.drop_reason, item.closed_at = ItemState.DROPPED, reason, utcnow()
    db.session.flush()
    audit.record("liaison.action_item.drop", actor=actor, obj=item, summary={"reason": reason[:200]})
    _tell_owner(item, _("会议待办事项已撤销：%(t)s", t=item.title[:80]))
    return item


def context_of(item: ActionItem) -> str:
    """The referral's body: where the item comes from, in words both sides recognise."""
    meeting = item.meeting
    decision = item.decision
    lines = [
        _("来源：%(k)s“%(t)s”（%(d)s）议定事项。", k=label(meeting.kind), t=meeting.title,
          d=to_local(meeting.starts_at).strftime("%Y-%m-%d")),
        _("议定事项：%(t)s", t=decision.text),
        _("责任单位：%(o)s；完成期限：%(d)s。", o=item.owner_org.name, d=item.due_on.isoformat()),
    ]
    if decision.agenda_item is not None:
        lines.append(_("所属议程：%(t)s", t=decision.agenda_item.title))
        if decision.agenda_item.discussion:
            lines.append(_("讨论情况：%(t)s", t=decision.agenda_item.discussion))
    return "\n".join(lines)


def spawn_referral(item: ActionItem, *, actor, rtype: ReferralType | None, title: str = "",
                   expected_version: int | None = None) -> Referral:
    """A draft referral from the actor's institution to the meeting's other side, carrying the context.
    Doing it twice (a form sent twice) yields the same referral."""
    check(item, ItemAction.SPAWN_REFERRAL, actor, expected_version=expected_version)
    direction = permissions.spawn_direction(actor)
    if rtype is None or rtype.direction is not direction or not rtype.active:
        raise ValidationFailed(_("请选择事项类型。"), field="rtype")
    meeting = item.meeting
    mine = institution_of(actor.organisation)
    receiver = meeting.counterpart_org if mine.id == meeting.organiser_org_id else meeting.organiser_org
    referral = referral_services.create_referral(
        actor=actor, rtype=rtype, receiver=receiver, title=(title or "").strip() or item.title[:200],
        body=context_of(item), client_token=f"liaison-action-item-{item.id}")
    item.referral = referral
    db.session.flush()
    audit.record("liaison.action_item.spawn_referral", actor=actor, obj=item, summary={"referral": referral.id})
    return referral


def spawn_topic(item: ActionItem, *, actor, lead_body, title: str = "", area=None,
                expected_version: int | None = None):
    """An oversight topic (issues) owned by the meeting's NPC committee, carrying the item's context: the
    description holds the meeting, the decision and the discussion; the topic records the decision as
    its source (会议议定事项) and, when the item already became a referral, links that referral too.
    Doing it twice (a form sent twice) yields the same topic."""
    from issues.models import Area, SourceKind
    from issues.services import topics as topic_services
    from issues.services.common import MAX_SHORT
    from oversight.referrals import permissions as referral_permissions

    if item.topic is not None and (expected_version is None or expected_version == item.version - 1):
        return item.topic
    check(item, ItemAction.SPAWN_TOPIC, actor, expected_version=expected_version)
    meeting = item.meeting
    if lead_body is None or (actor is not None and institution_of(lead_body).id != permissions.npc_side_of(meeting).id):
        raise ValidationFailed(_("牵头机构须为本次会议人大一方的常委会或其工作机构。"), field="lead_body")
    referrals = [item.referral] if item.referral is not None and (
        actor is None or referral_permissions.can_view(actor, item.referral)) else []
    topic = topic_services.create_topic(actor=actor, title=(title or "").strip() or item.title[:200],
                                        description=context_of(item), area=area or Area.OTHER,
                                        lead_body=lead_body, referrals=referrals)
    reference = _("%(k)s“%(t)s”（%(d)s）议定事项：%(x)s", k=label(meeting.kind), t=meeting.title,
                  d=to_local(meeting.starts_at).strftime("%Y-%m-%d"), x=item.decision.text)
    if len(reference) > MAX_SHORT:
        reference = reference[:MAX_SHORT - 1] + "…"
    topic_services.add_source(topic, actor=actor, kind=SourceKind.MEETING_DECISION, reference=reference)
    item.topic = topic
    db.session.flush()
    audit.record("liaison.action_item.spawn_topic", actor=actor, obj=item, summary={"topic": topic.id})
    return topic
