"""Exchange activities: planning, invitations with RSVP, attendance and participants' feedback.
Each function checks, changes, audits, notifies and flushes; nothing here commits."""
from __future__ import annotations

import datetime as dt
import uuid

from flask_babel import gettext as _

from oversight.accounts.models import User
from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.services import notify
from oversight.orgs.models import Organisation, Side
from oversight.orgs.permissions import institution_of
from ..meetings.services import MAX_TITLE, UID_DOMAIN, may_meet
from ..meetings.workflow import Response
from ..permissions import INSTITUTION_KINDS, LIAISON_ROLES, organises_for, within_either
from .models import (ExchangeActivity, ExchangeKind, ExchangeParticipant, ExchangeState, MilestoneState,
                     ResearchMilestone)


def _link(activity: ExchangeActivity) -> str:
    return f"/liaison/exchanges/{activity.id}"


def _organiser(actor, activity: ExchangeActivity) -> None:
    if actor is not None and not organises_for(actor, activity.organiser_org):
        raise NotAllowed(_("只有活动组织方的联络人员可以执行此操作。"))


def _planned(activity: ExchangeActivity) -> None:
    if activity.state is not ExchangeState.PLANNED:
        raise InvalidTransition(_("活动已举行或已取消，不能再执行此操作。"))


def plan(*, actor, kind: ExchangeKind, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
         partner: Organisation | None, place: str = "", description: str = "") -> ExchangeActivity:
    organiser = institution_of(actor.organisation)
    if not organises_for(actor, organiser):
        raise NotAllowed(_("只有人大联络人员或检察联络人可以安排交流活动。"))
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写活动名称。")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("活动名称不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if kind is None:
        errors["kind"] = _("请选择活动类型。")
    if starts_at is None:
        errors["starts_at"] = _("请填写开始时间。")
    if ends_at is None:
        errors["ends_at"] = _("请填写结束时间。")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("活动结束时间必须晚于开始时间。")
    if (partner is None or partner.kind not in INSTITUTION_KINDS or not partner.active
            or partner.side is organiser.side):
        errors["partner"] = _("请选择对方单位：人大常委会与人民检察院之间开展交流活动。")
    elif not may_meet(organiser, partner):
        errors["partner"] = _("对方单位须为本单位对应的同级人民检察院或人大常委会（或其下级单位）。")
    if errors:
        raise ValidationFailed(errors)
    activity = ExchangeActivity(uid=f"{uuid.uuid4()}@{UID_DOMAIN}", kind=kind, title=title.strip()[:200],
                                starts_at=starts_at, ends_at=ends_at, place=(place or "").strip()[:200],
                                description=(description or "").strip(), organiser_org=organiser,
                                partner_org=partner, created_by_id=actor.id)
    db.session.add(activity)
    db.session.flush()
    audit.record("liaison.exchange.plan", actor=actor, obj=activity, summary={"title": activity.title,
                                                                              "kind": kind.value})
    return activity


def invite(activity: ExchangeActivity, *, actor, users: list[User]) -> list[ExchangeParticipant]:
    _organiser(actor, activity)
    _planned(activity)
    outside = [u for u in users if not within_either(u.organisation, activity.organiser_org, activity.partner_org)]
    if not users:
        raise ValidationFailed(_("请选择要邀请的人员。"), field="users")
    if outside:
        raise ValidationFailed(_("%(names)s 所在单位不属于活动双方，不能邀请。",
                                 names="、".join(u.display_name for u in outside)), field="users")
    unfit = [u for u in users if not u.active or not u.has_role(*LIAISON_ROLES)]
    if unfit:
        raise ValidationFailed(_("%(names)s 不是联络工作人员或人大代表，不能邀请。",
                                 names="、".join(u.display_name for u in unfit)), field="users")
    known = {p.user_id for p in activity.participants}
    added = []
    for user in users:
        if user.id not in known:
            known.add(user.id)
            added.append(ExchangeParticipant(activity=activity, user=user))
            notify(user, kind="exchange_invitation", link=_link(activity), title=_("活动邀请：%(t)s", t=activity.title))
    db.session.add_all(added)
    db.session.flush()
    audit.record("liaison.exchange.invite", actor=actor, obj=activity, summary={"users": [u.username for u in users]})
    return added


def respond(participant: ExchangeParticipant, *, actor, accept: bool, reason: str = "") -> ExchangeParticipant:
    if participant.user_id != actor.id:
        raise NotAllowed(_("只能回复发给您本人的活动邀请。"))
    _planned(participant.activity)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationFailed(_("谢绝参加请说明理由。"), field="reason")
    participant.response = Response.ACCEPTED if accept else Response.DECLINED
    participant.reason = reason or None
    db.session.flush()
    audit.record("liaison.exchange.respond", actor=actor, obj=participant,
                 summary={"response": participant.response.value})
    return participant


def record_attendance(activity: ExchangeActivity, *, actor, present: set[int], outputs: str = "") -> ExchangeActivity:
    """The activity took place: who attended (participant ids) and, for research, its outputs."""
    _organiser(actor, activity)
    _planned(activity)
    if activity.starts_at > utcnow():
        raise ValidationFailed(_("活动尚未开始，不能登记出席情况。"))
    for participant in activity.participants:
        participant.attended = participant.id in present
    activity.state, activity.outputs = ExchangeState.DONE, (outputs or "").strip()
    db.session.flush()
    audit.record("liaison.exchange.attendance", actor=actor, obj=activity, summary={"present": len(present)})
    for participant in activity.participants:
        if participant.attended:
            notify(participant.user, kind="exchange_feedback", link=_link(activity),
                   title=_("请反馈您参加“%(t)s”的意见和建议", t=activity.title))
    return activity


def give_feedback(participant: ExchangeParticipant, *, actor, text: str) -> ExchangeParticipant:
    if participant.user_id != actor.id:
        raise NotAllowed(_("只能填写您本人的活动反馈。"))
    if participant.activity.state is not ExchangeState.DONE or not participant.attended:
        raise InvalidTransition(_("参加活动后才能反馈意见。"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写反馈意见。"), field="text")
    participant.feedback, participant.feedback_at = text[:20_000], utcnow()
    db.session.flush()
    audit.record("liaison.exchange.feedback", actor=actor, obj=participant, summary={"length": len(text)})
    return participant


def cancel(activity: ExchangeActivity, *, actor, reason: str) -> ExchangeActivity:
    _organiser(actor, activity)
    _planned(activity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明取消活动的原因。"), field="reason")
    activity.state, activity.cancel_reason = ExchangeState.CANCELLED, reason
    db.session.flush()
    audit.record("liaison.exchange.cancel", actor=actor, obj=activity, summary={"reason": reason})
    for participant in activity.participants:
        notify(participant.user, kind="exchange_cancelled", link=_link(activity), title=_("活动已取消：%(t)s", t=activity.title))
    return activity


# --- joint research projects (课题): members from both sides, milestones and their outputs ----------

def members_by_side(activity: ExchangeActivity) -> dict[Side, list[ExchangeParticipant]]:
    """The project's members (invited and not declined), by the side their organisation belongs to."""
    found: dict[Side, list[ExchangeParticipant]] = {Side.NPC: [], Side.PROCURATORATE: []}
    for participant in activity.participants:
        if participant.response is not Response.DECLINED:
            found.setdefault(participant.user.organisation.side, []).append(participant)
    return found


def works_on_research(user, activity: ExchangeActivity) -> bool:
    """Either side's liaison staff, or a member who accepted, works the project's milestones."""
    if not user.is_authenticated or activity.kind is not ExchangeKind.JOINT_RESEARCH:
        return False
    if organises_for(user, activity.organiser_org) or organises_for(user, activity.partner_org):
        return True
    return any(p.user_id == user.id and p.response is Response.ACCEPTED for p in activity.participants)


def _research(activity: ExchangeActivity, actor, *, staff_only: bool) -> None:
    if activity.kind is not ExchangeKind.JOINT_RESEARCH:
        raise InvalidTransition(_("只有联合课题研究才有里程碑。"))
    if activity.state is ExchangeState.CANCELLED:
        raise InvalidTransition(_("课题已取消，不能再执行此操作。"))
    if actor is None:
        return
    if staff_only and not (organises_for(actor, activity.organiser_org) or organises_for(actor, activity.partner_org)):
        raise NotAllowed(_("只有课题双方的联络人员可以安排里程碑。"))
    if not works_on_research(actor, activity):
        raise NotAllowed(_("只有课题成员和双方联络人员可以登记里程碑完成情况。"))


def add_milestone(activity: ExchangeActivity, *, actor, title: str, due_on: dt.date | None) -> ResearchMilestone:
    _research(activity, actor, staff_only=True)
    sides = members_by_side(activity)
    if not sides[Side.NPC] or not sides[Side.PROCURATORATE]:
        raise ValidationFailed(_("课题成员须包括人大和检察院双方人员，请先邀请对方人员参加课题。"))
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写里程碑名称。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("里程碑名称不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if due_on is None:
        errors["due_on"] = _("请填写完成期限。")
    if errors:
        raise ValidationFailed(errors)
    milestone = ResearchMilestone(activity=activity, title=title, due_on=due_on)
    db.session.add(milestone)
    db.session.flush()
    audit.record("liaison.research.milestone", actor=actor, obj=activity,
                 summary={"milestone": milestone.id, "title": title, "due_on": due_on.isoformat()})
    for participant in sides[Side.NPC] + sides[Side.PROCURATORATE]:
        if actor is None or participant.user_id != actor.id:
            notify(participant.user, kind="research_milestone", link=_link(activity),
                   title=_("课题“%(t)s”新增里程碑：%(m)s（%(d)s 前）", t=activity.title, m=title, d=due_on.isoformat()))
    return milestone


def complete_milestone(milestone: ResearchMilestone, *, actor, output: str,
                       expected_version: int | None = None) -> ResearchMilestone:
    """A milestone reached, with what it produced (the project's outputs are its milestones' outputs)."""
    if expected_version is not None and milestone.version != expected_version:
        raise Conflict(_("该里程碑已被他人修改，请刷新后重试。"))
    _research(milestone.activity, actor, staff_only=False)
    if milestone.state is MilestoneState.DONE:
        raise InvalidTransition(_("该里程碑已完成。"))
    output = (output or "").strip()
    if not output:
        raise ValidationFailed(_("请填写阶段成果。"), field="output")
    milestone.state, milestone.output, milestone.done_at = MilestoneState.DONE, output[:20_000], utcnow()
    db.session.flush()
    audit.record("liaison.research.milestone_done", actor=actor, obj=milestone.activity,
                 summary={"milestone": milestone.id, "length": len(output)})
    return milestone
