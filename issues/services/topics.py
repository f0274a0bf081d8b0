"""Opening a topic, linking its sources, the topic's own transitions (evaluate, close)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.models import Organisation, OrgKind
from oversight.orgs.permissions import institution_of
from oversight.referrals import permissions as referral_permissions
from oversight.referrals.models import Classification, Referral

from .. import labels, permissions
from ..models import Area, ItemState, RectificationItem, SourceKind, Topic, TopicEvent, TopicSource
from ..workflow import TOPIC_TRANSITIONS, TopicAction, TopicState
from .common import MAX_SHORT, MAX_TITLE, actor_label, side_of, text

NPC_KINDS = frozenset({OrgKind.NPC_COMMITTEE, OrgKind.NPC_BODY})


def check(topic: Topic, action: TopicAction, actor, *, expected_version: int | None = None) -> None:
    """Raise unless `actor` may take `action` on `topic` now (state, role, organisation, version)."""
    if expected_version is not None and topic.version != expected_version:
        raise Conflict(_("该议题已被他人修改，请刷新后重试。"))
    rule = TOPIC_TRANSITIONS.get((topic.state, action))
    if rule is None:
        raise InvalidTransition(_("议题当前处于“%(state)s”状态，不能执行“%(action)s”。",
                                  state=labels.topic_state(topic.state), action=labels.topic_action(action)))
    if actor is not None and not permissions.can_act(actor, topic, action):
        raise NotAllowed(_("您不能对此议题执行“%(action)s”。", action=labels.topic_action(action)))
    stored = db.session.scalar(sa.select(Topic.version).where(Topic.id == topic.id).with_for_update())
    if stored is not None and stored != topic.version:
        raise Conflict(_("该议题已被他人修改，请刷新后重试。"))


def apply(topic: Topic, action: TopicAction, actor, *, note: str = "", target: TopicState | None = None,
          summary: dict | None = None) -> TopicEvent:
    """Move `topic` through `action` (already checked); write its timeline and the audit."""
    rule = TOPIC_TRANSITIONS[(topic.state, action)]
    before = topic.state
    topic.state = target or rule.target or topic.state
    topic.updated_at = utcnow()
    event = TopicEvent(topic=topic, action=action.value, from_state=before.value, to_state=topic.state.value,
                       actor_id=actor.id if actor is not None else None, actor_label=actor_label(actor),
                       side=side_of(actor), note=note)
    db.session.add(event)
    db.session.flush()
    audit.record(f"topic.{action.value}", actor=actor, obj=topic, summary={
        "serial": topic.serial, "from": before.value, "to": topic.state.value, **(summary or {})})
    return event


def note_event(topic: Topic, actor, action: str, note: str = "") -> None:
    """A timeline line that does not change the topic's state (drafting, sources)."""
    db.session.add(TopicEvent(topic=topic, action=action, from_state=topic.state.value, to_state=topic.state.value,
                              actor_id=actor.id if actor is not None else None, actor_label=actor_label(actor),
                              side=side_of(actor), note=note))


def create_topic(*, actor, title: str, description: str = "", area: Area = Area.OTHER,
                 lead_body: Organisation | None = None, classification: Classification = Classification.INTERNAL,
                 referrals: list[Referral] = ()) -> Topic:
    """Open a topic (监督议题) led by one of the actor's committee's bodies, from any referrals it may see."""
    if actor is not None and not permissions.can_create(actor):
        raise NotAllowed(_("只有人大联络人员可以新建监督议题。"))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写议题名称。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("标题不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if lead_body is None or lead_body.kind not in NPC_KINDS or not lead_body.active:
        errors["lead_body"] = _("请选择牵头的人大常委会工作机构。")
    elif actor is not None and not permissions.acts_within(actor, institution_of(lead_body)):
        errors["lead_body"] = _("牵头机构须为本级人大常委会或其工作机构。")
    if errors:
        raise ValidationFailed(errors)
    topic = Topic(title=title, description=(description or "").strip(), area=area, lead_body=lead_body,
                  owner_org=institution_of(lead_body), classification=classification, created_by=actor,
                  state=TopicState.OPEN)
    db.session.add(topic)
    db.session.flush()
    audit.record("topic.create", actor=actor, obj=topic, summary={"title": title, "area": area.value})
    note_event(topic, actor, "create")
    for referral in referrals:
        link_referral(topic, actor=actor, referral=referral)
    return topic


def create_topic_from_alert(alert, *, actor, title: str, lead_body: Organisation | None,
                            description: str = "") -> Topic:
    """Turn a confirmed model alert into a topic: the alert becomes its source (the topic page lists the
    alert's evidence) and the referrals among the evidence that the actor may see become linked sources."""
    from oversight.supervision import services as supervision

    supervision.check(alert, supervision.AlertAction.CONVERT, actor)
    lines = [f"{e['label']}" for e in alert.evidence or []]
    description = (description or "").strip() or "\n".join([alert.title, alert.detail or "", *lines]).strip()
    topic = create_topic(actor=actor, title=title or alert.title, description=description, lead_body=lead_body)
    source = TopicSource(topic=topic, kind=SourceKind.MODEL_ALERT, alert_id=alert.id,
                         reference=f"{alert.model.name}：{alert.title}"[:MAX_SHORT])
    db.session.add(source)
    db.session.flush()
    audit.record("topic.add_source", actor=actor, obj=topic, summary={"kind": SourceKind.MODEL_ALERT.value,
                                                                       "alert": alert.id})
    note_event(topic, actor, "add_source", source.reference)
    ids = [e["id"] for e in alert.evidence or [] if e.get("kind") == "referral"]
    for referral in db.session.scalars(sa.select(Referral).where(Referral.id.in_(ids)).order_by(Referral.id)):
        if actor is None or referral_permissions.can_view(actor, referral):
            link_referral(topic, actor=actor, referral=referral)
    supervision.mark_converted(alert, actor=actor, topic_id=topic.id)
    return topic


def _may_draft(topic: Topic, actor) -> None:
    if actor is not None and not permissions.is_owner_side(actor, topic):
        raise NotAllowed(_("只有议题所属人大常委会的工作人员可以编辑议题。"))
    if topic.state in (TopicState.EVALUATED, TopicState.CLOSED):
        raise InvalidTransition(_("议题已评估或结束，不能再修改。"))


def link_referral(topic: Topic, *, actor, referral: Referral) -> TopicSource:
    _may_draft(topic, actor)
    if actor is not None and not referral_permissions.can_view(actor, referral):
        raise NotAllowed(_("您无权查看该移送事项，不能将其作为议题来源。"))
    if any(s.referral_id == referral.id for s in topic.sources):
        raise ValidationFailed(_("该移送事项已是本议题的来源。"), field="referral")
    source = TopicSource(topic=topic, kind=SourceKind.REFERRAL, referral=referral,
                         reference=f"{referral.serial or ''} {referral.title}".strip()[:MAX_SHORT])
    db.session.add(source)
    db.session.flush()
    audit.record("topic.link_source", actor=actor, obj=topic, summary={"referral": referral.id})
    note_event(topic, actor, "link_source", source.reference)
    return source


def add_source(topic: Topic, *, actor, kind: SourceKind, reference: str) -> TopicSource:
    """A source that is not (yet) a record here: a meeting decision, a model alert, another origin."""
    _may_draft(topic, actor)
    if kind is SourceKind.REFERRAL:
        raise ValidationFailed(_("移送事项请从事项列表中选择。"), field="kind")
    reference = text(reference, "reference", _("请说明来源。"), limit=MAX_SHORT)
    source = TopicSource(topic=topic, kind=kind, reference=reference)
    db.session.add(source)
    db.session.flush()
    audit.record("topic.add_source", actor=actor, obj=topic, summary={"kind": kind.value, "reference": reference})
    note_event(topic, actor, "add_source", reference)
    return source


def evaluate(topic: Topic, *, actor, evaluation: str, expected_version: int | None = None) -> None:
    """整改评估: only once every issued item is signed off."""
    check(topic, TopicAction.EVALUATE, actor, expected_version=expected_version)
    open_items = db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem).where(
        RectificationItem.topic_id == topic.id, RectificationItem.state != ItemState.SIGNED_OFF))
    if open_items:
        raise ValidationFailed(_("尚有 %(n)d 项整改事项未销号，不能评估。", n=open_items))
    topic.evaluation = text(evaluation, "evaluation", _("请填写整改评估意见。"))
    apply(topic, TopicAction.EVALUATE, actor, note=topic.evaluation)


def close(topic: Topic, *, actor, note: str = "", expected_version: int | None = None) -> None:
    check(topic, TopicAction.CLOSE, actor, expected_version=expected_version)
    apply(topic, TopicAction.CLOSE, actor, note=(note or "").strip())
