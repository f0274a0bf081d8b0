"""Every change to minutes: drafting, the attendees' amendment window, approval (which locks them and
turns decisions with an owner into action items) and corrections appended afterwards. Never commits."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from oversight.accounts.models import Role, User
from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.services import notify
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import institution_of
from oversight.referrals.services import recipients
from oversight.workdays import add_working_days, today
from ..labels import label
from ..meetings.models import AgendaItem, Meeting
from ..meetings.workflow import Response, State
from ..permissions import ORGANISER_ROLE, within_either
from . import permissions
from .models import ActionItem, Amendment, AmendmentKind, Decision, Minutes
from .workflow import MINUTES_TRANSITIONS, MinutesAction, MinutesState

MAX_TEXT = 20_000
REVIEW_WORKING_DAYS = 5


def _link(meeting: Meeting) -> str:
    return f"/liaison/minutes/{meeting.id}"


def check(minutes: Minutes, action: MinutesAction, actor, *, expected_version: int | None = None) -> None:
    if expected_version is not None and minutes.version != expected_version:
        raise Conflict(_("该会议纪要已被他人修改，请刷新后重试。"))
    if (minutes.state, action) not in MINUTES_TRANSITIONS:
        if minutes.state is MinutesState.APPROVED:
            raise InvalidTransition(_("会议纪要已审定并锁定，不能修改；如需更正，请以更正说明附后。"))
        raise InvalidTransition(_("会议纪要当前处于“%(s)s”状态，不能“%(a)s”。", s=label(minutes.state), a=label(action)))
    if actor is not None and not permissions.can_act_minutes(actor, minutes, action):
        raise NotAllowed(_("您不能对此会议纪要“%(a)s”。", a=label(action)))


def _audit(action: MinutesAction | str, actor, minutes: Minutes, **summary) -> None:
    audit.record(f"liaison.minutes.{action}", actor=actor, obj=minutes,
                 summary={"meeting": minutes.meeting_id, "state": minutes.state.value, **summary})


def start(meeting: Meeting, *, actor) -> Minutes:
    """The draft minutes of a held meeting; those who accepted are marked present to begin with."""
    if meeting.state is not State.HELD:
        raise InvalidTransition(_("会议确认召开后才能起草纪要。"))
    existing = db.session.query(Minutes).filter_by(meeting_id=meeting.id).one_or_none()
    if existing is not None:
        return existing
    minutes = Minutes(meeting=meeting, drafted_by=actor, state=MinutesState.DRAFT)
    db.session.add(minutes)
    for invitation in meeting.invitations:
        invitation.attended = invitation.response is Response.ACCEPTED
    db.session.flush()
    _audit("start", actor, minutes)
    return minutes


def edit(minutes: Minutes, *, actor, summary: str, discussions: dict[int, str], present: set[int],
         expected_version: int | None = None) -> Minutes:
    """Attendance (invitation ids present), the general summary and the discussion per agenda item."""
    check(minutes, MinutesAction.EDIT, actor, expected_version=expected_version)
    if len(summary or "") > MAX_TEXT or any(len(t or "") > MAX_TEXT for t in discussions.values()):
        raise ValidationFailed(_("内容不能超过 %(n)d 个字符。", n=MAX_TEXT))
    minutes.summary = (summary or "").strip()
    for item in minutes.meeting.agenda:
        if item.id in discussions:
            item.discussion = (discussions[item.id] or "").strip()
    for invitation in minutes.meeting.invitations:
        invitation.attended = invitation.id in present
    minutes.updated_at = utcnow()
    db.session.flush()
    _audit(MinutesAction.EDIT, actor, minutes, present=len(present))
    return minutes


def add_decision(minutes: Minutes, *, actor, text: str, agenda_item: AgendaItem | None = None,
                 owner_org: Organisation | None = None, owner: User | None = None,
                 due_on: dt.date | None = None) -> Decision:
    """A decision (议定事项); with an owner organisation and a due date it is tracked once approved."""
    check(minutes, MinutesAction.EDIT, actor)
    meeting = minutes.meeting
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("请填写议定事项。")
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        errors["agenda_item"] = _("请选择本次会议的议程。")
    if owner_org is not None and not within_either(owner_org, meeting.organiser_org, meeting.counterpart_org):
        errors["owner_org"] = _("责任单位须为会议双方的单位。")
    if (owner_org is None) != (due_on is None):
        errors["due_on" if owner_org else "owner_org"] = _("需跟踪办理的议定事项须同时填写责任单位和完成期限。")
    if owner is not None and (owner_org is None or institution_of(owner.organisation).id != institution_of(owner_org).id):
        errors["owner"] = _("责任人须为责任单位的人员。")
    if due_on is not None and due_on < meeting.starts_at.date():
        errors["due_on"] = _("完成期限不能早于会议日期。")
    if errors:
        raise ValidationFailed(errors)
    decision = Decision(minutes=minutes, text=text[:MAX_TEXT], agenda_item=agenda_item, owner_org=owner_org,
                        owner=owner, due_on=due_on, position=len(minutes.decisions) + 1)
    db.session.add(decision)
    db.session.flush()
    _audit("decision", actor, minutes, text=text[:100], owner_org=owner_org.name if owner_org else None)
    return decision


def _attendees(meeting: Meeting) -> list[User]:
    return [i.user for i in meeting.invitations if i.response in (Response.PENDING, Response.ACCEPTED)]


def open_review(minutes: Minutes, *, actor, days: int = REVIEW_WORKING_DAYS,
                expected_version: int | None = None) -> Minutes:
    check(minutes, MinutesAction.OPEN_REVIEW, actor, expected_version=expected_version)
    until = add_working_days(today(), days)  # reads the calendar: before the row changes (autoflush)
    minutes.state, minutes.review_until = MinutesState.REVIEW, until
    db.session.flush()
    _audit(MinutesAction.OPEN_REVIEW, actor, minutes, until=minutes.review_until.isoformat())
    for user in _attendees(minutes.meeting):
        notify(user, kind="minutes_review", link=_link(minutes.meeting),
               title=_("请在 %(d)s 前对会议纪要提出修改意见：%(t)s", d=minutes.review_until.isoformat(),
                       t=minutes.meeting.title))
    return minutes


def propose_amendment(minutes: Minutes, *, actor, text: str) -> Amendment:
    check(minutes, MinutesAction.PROPOSE_AMENDMENT, actor)
    if minutes.review_until is not None and today() > minutes.review_until:
        raise InvalidTransition(_("修改意见期已于 %(d)s 结束，不能再提出修改意见。", d=minutes.review_until.isoformat()))
    return _append(minutes, actor, AmendmentKind.PROPOSAL, text)


def correct(minutes: Minutes, *, actor, text: str) -> Amendment:
    """After approval the text stays as approved; a correction is appended and shown with it."""
    check(minutes, MinutesAction.CORRECT, actor)
    return _append(minutes, actor, AmendmentKind.CORRECTION, text)


def _append(minutes: Minutes, actor, kind: AmendmentKind, text: str) -> Amendment:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写修改意见或更正内容。"), field="text")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("内容不能超过 %(n)d 个字符。", n=MAX_TEXT), field="text")
    row = Amendment(minutes=minutes, kind=kind, author=actor, text=text)
    db.session.add(row)
    db.session.flush()
    _audit(kind.value, actor, minutes, text=text[:100])
    if minutes.drafted_by is not None and minutes.drafted_by is not actor:
        notify(minutes.drafted_by, kind="minutes_amendment", link=_link(minutes.meeting),
               title=_("%(who)s对会议纪要提出%(k)s：%(t)s", who=actor.display_name, k=label(kind),
                       t=minutes.meeting.title))
    return row


def revise(minutes: Minutes, *, actor, expected_version: int | None = None) -> Minutes:
    check(minutes, MinutesAction.REVISE, actor, expected_version=expected_version)
    minutes.state, minutes.review_until = MinutesState.DRAFT, None
    db.session.flush()
    _audit(MinutesAction.REVISE, actor, minutes)
    return minutes


def approve(minutes: Minutes, *, actor, expected_version: int | None = None) -> list[ActionItem]:
    """Lock the minutes; every decision with an owner and a due date becomes an open action item."""
    check(minutes, MinutesAction.APPROVE, actor, expected_version=expected_version)
    if minutes.review_until is None or today() <= minutes.review_until:
        raise InvalidTransition(_("修改意见期至 %(d)s 结束，期满后才能审定会议纪要。",
                                  d=minutes.review_until.isoformat() if minutes.review_until else "-"))
    minutes.state, minutes.approved_by, minutes.approved_at = MinutesState.APPROVED, actor, utcnow()
    items = []
    for decision in minutes.decisions:
        if decision.owner_org is None or decision.action_item is not None:
            continue
        item = ActionItem(decision=decision, meeting=minutes.meeting, title=decision.text[:2000],
                          owner_org=decision.owner_org, owner=decision.owner, due_on=decision.due_on)
        db.session.add(item)
        items.append(item)
    db.session.flush()
    _audit(MinutesAction.APPROVE, actor, minutes, action_items=[i.id for i in items])
    for item in items:
        _tell_owner(item, _("新的会议待办事项（%(d)s 前完成）：%(t)s", d=item.due_on.isoformat(), t=item.title[:80]))
    return items


def owner_people(item: ActionItem) -> list[User]:
    """Who hears about an action item: its owner, else the owner organisation's liaison staff."""
    if item.owner is not None:
        return [item.owner]
    return recipients(item.owner_org, ORGANISER_ROLE.get(item.owner_org.side, Role.NPC_STAFF))


def _tell_owner(item: ActionItem, title: str) -> None:
    for user in owner_people(item):
        notify(user, kind="action_item", title=title, link=f"/liaison/minutes/items/{item.id}")


__all__ = ["add_decision", "approve", "check", "correct", "edit", "open_review",
           "propose_amendment", "revise", "start"]
