"""Every change to a meeting and its invitations. Each use case: check the workflow and the actor →
change → audit → notifications → flush. Nothing here commits."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.accounts.models import User
from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.services import MailAttachment, mail_enabled, notify
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import in_subtree, institution_of
from oversight.referrals import permissions as referral_permissions
from oversight.referrals.models import Referral
from ..labels import label
from ..permissions import INSTITUTION_KINDS, LIAISON_ROLES, organises_for, within_either
from . import permissions, queries
from .models import AgendaItem, Invitation, Meeting
from .workflow import Action, MeetingKind, Response, State, TRANSITIONS

MAX_TITLE, MAX_TEXT = 200, 20_000
UID_DOMAIN = "jiandu-xianjie"


def check(meeting: Meeting, action: Action, actor, *, expected_version: int | None = None) -> None:
    """Raise unless `actor` may take `action` on `meeting` now."""
    if expected_version is not None and meeting.version != expected_version:
        raise Conflict(_("该会议已被他人修改，请刷新后重试。"))
    if (meeting.state, action) not in TRANSITIONS:
        raise InvalidTransition(_("会议当前处于“%(s)s”状态，不能执行“%(a)s”。", s=label(meeting.state), a=label(action)))
    if actor is not None and not permissions.can_act(actor, meeting, action):
        raise NotAllowed(_("只有会议组织方的联络人员可以“%(a)s”。", a=label(action)))


def report_title(run) -> str:
    """A produced report as people name it: its title and period."""
    from reports import definitions
    from reports.statistics.periods import Period

    definition = definitions.get(run.report)
    return f"{definition.title} {Period.parse(definition.kind, run.period_key).label}"


def _link(meeting: Meeting) -> str:
    return f"/liaison/meetings/{meeting.id}"


def calendar_file(meeting: Meeting) -> tuple[MailAttachment, ...]:
    """The meeting's .ics for the e-mail (METHOD REQUEST, or CANCEL once cancelled) — only when mail is
    sent at all. Built as the meeting stands now: callers tell people after the change and its SEQUENCE."""
    if not mail_enabled():
        return ()
    from .ics import invitation_ics

    method = "CANCEL" if meeting.state is State.CANCELLED else "REQUEST"
    return (MailAttachment("invitation.ics", invitation_ics(meeting), "text/calendar", {"method": method}),)


def _tell(users, meeting: Meeting, kind: str, title: str, body: str = "", *, ics: bool = False) -> None:
    attachments = calendar_file(meeting) if ics else ()
    for user in {u.id: u for u in users if u is not None}.values():
        notify(user, kind=kind, title=title, body=body, link=_link(meeting), attachments=attachments)


def _attendees(meeting: Meeting) -> list[User]:
    return [i.user for i in meeting.invitations if i.response in (Response.PENDING, Response.ACCEPTED)]


def _validate(*, title: str, starts_at, ends_at, kind) -> dict[str, str]:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写会议名称。")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("会议名称不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if kind is None:
        errors["kind"] = _("请选择会议类型。")
    if starts_at is None:
        errors["starts_at"] = _("请填写开始时间。")
    if ends_at is None:
        errors["ends_at"] = _("请填写结束时间。")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("会议结束时间必须晚于开始时间。")
    return errors


def may_meet(organiser: Organisation, counterpart: Organisation) -> bool:
    """Liaison runs along the pairing: the counterpart is the organiser institution's paired institution
    or one inside its area (e.g. a city committee with a district procuratorate of its paired one)."""
    from oversight.orgs.queries import pairing_of

    pair = pairing_of(institution_of(organiser))
    return pair is not None and in_subtree(counterpart, pair)


def schedule(*, actor, kind: MeetingKind, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
             counterpart: Organisation | None, place: str = "", online_url: str = "", description: str = "",
             organiser: Organisation | None = None) -> Meeting:
    """A new meeting between the actor's institution and `counterpart`. The open action items of
    earlier meetings between the two are put on its agenda as follow-ups."""
    organiser = organiser or institution_of(actor.organisation)
    if actor is not None and not organises_for(actor, organiser):
        raise NotAllowed(_("只有人大联络人员或检察联络人可以安排联络会议。"))
    errors = _validate(title=title, starts_at=starts_at, ends_at=ends_at, kind=kind)
    if (counterpart is None or counterpart.kind not in INSTITUTION_KINDS or not counterpart.active
            or counterpart.side is organiser.side):
        errors["counterpart"] = _("请选择对方单位：人大常委会与人民检察院之间召开联络会议。")
    elif not may_meet(organiser, counterpart):
        errors["counterpart"] = _("对方单位须为本单位对应的同级人民检察院或人大常委会（或其下级单位）。")
    if errors:
        raise ValidationFailed(errors)
    meeting = Meeting(uid=f"{uuid.uuid4()}@{UID_DOMAIN}", kind=kind, title=title.strip(), starts_at=starts_at,
                      ends_at=ends_at, place=(place or "").strip()[:200], online_url=(online_url or "").strip()[:300],
                      description=(description or "").strip()[:MAX_TEXT], organiser_org=organiser,
                      counterpart_org=counterpart, created_by=actor, state=State.SCHEDULED)
    db.session.add(meeting)
    db.session.flush()
    _carry_over_follow_ups(meeting)
    audit.record("liaison.meeting.schedule", actor=actor, obj=meeting, organisation_id=organiser.id, summary={
        "title": meeting.title, "kind": kind.value, "starts_at": starts_at.isoformat(),
        "counterpart": counterpart.name})
    return meeting


def _carry_over_follow_ups(meeting: Meeting) -> None:
    from ..minutes.models import ActionItem
    from ..minutes.workflow import ItemState

    pair = (meeting.organiser_org_id, meeting.counterpart_org_id)
    earlier = (sa.select(Meeting.id).where(Meeting.organiser_org_id.in_(pair), Meeting.counterpart_org_id.in_(pair),
                                           Meeting.starts_at < meeting.starts_at, Meeting.id != meeting.id))
    items = db.session.scalars(sa.select(ActionItem).where(ActionItem.meeting_id.in_(earlier),
                                                           ActionItem.state == ItemState.OPEN)
                               .order_by(ActionItem.due_on, ActionItem.id))
    position = len(meeting.agenda)
    for item in items:
        position += 1
        db.session.add(AgendaItem(meeting=meeting, position=position, follow_up=item,
                                  title=_("跟进：%(t)s", t=item.title)[:MAX_TITLE]))
    db.session.flush()


def update(meeting: Meeting, *, actor, kind: MeetingKind, title: str, starts_at: dt.datetime,
           ends_at: dt.datetime, place: str = "", online_url: str = "", description: str = "",
           expected_version: int | None = None) -> Meeting:
    check(meeting, Action.EDIT, actor, expected_version=expected_version)
    errors = _validate(title=title, starts_at=starts_at, ends_at=ends_at, kind=kind)
    if errors:
        raise ValidationFailed(errors)
    moved = (meeting.starts_at, meeting.ends_at) != (starts_at, ends_at)
    meeting.kind, meeting.title, meeting.starts_at, meeting.ends_at = kind, title.strip(), starts_at, ends_at
    meeting.place, meeting.online_url = (place or "").strip()[:200], (online_url or "").strip()[:300]
    meeting.description = (description or "").strip()[:MAX_TEXT]
    meeting.sequence += 1
    if moved:
        meeting.reminded_for = None
    db.session.flush()
    audit.record("liaison.meeting.update", actor=actor, obj=meeting, summary={
        "title": meeting.title, "starts_at": starts_at.isoformat(), "sequence": meeting.sequence})
    _tell(_attendees(meeting), meeting, "meeting_changed", _("会议信息已变更：%(t)s", t=meeting.title), ics=True)
    return meeting


def invite(meeting: Meeting, *, actor, users: list[User], expected_version: int | None = None) -> list[tuple[User, Meeting]]:
    """Invite `users` (all or none) and return the conflicts: (invitee, their overlapping meeting)."""
    check(meeting, Action.INVITE, actor, expected_version=expected_version)
    if not users:
        raise ValidationFailed(_("请选择要邀请的人员。"), field="users")
    outside = [u for u in users if not within_either(u.organisation, meeting.organiser_org, meeting.counterpart_org)]
    if outside:
        raise ValidationFailed(_("%(names)s 所在单位不属于会议双方（%(a)s、%(b)s），不能邀请。",
                                 names="、".join(f"{u.display_name}（{u.organisation.name}）" for u in outside),
                                 a=meeting.organiser_org.name, b=meeting.counterpart_org.name), field="users")
    inactive = [u for u in users if not u.active]
    if inactive:
        raise ValidationFailed(_("%(names)s 的账户已停用，不能邀请。",
                                 names="、".join(u.display_name for u in inactive)), field="users")
    no_role = [u for u in users if not u.has_role(*LIAISON_ROLES)]
    if no_role:
        raise ValidationFailed(_("%(names)s 不是联络工作人员或人大代表，不能邀请。",
                                 names="、".join(u.display_name for u in no_role)), field="users")
    invited = {i.user_id for i in meeting.invitations}
    found, added = [], []
    for user in users:
        if user.id in invited:
            continue
        invited.add(user.id)
        db.session.add(Invitation(meeting=meeting, user=user))
        found += [(user, other) for other in queries.conflicts(user.id, meeting.starts_at, meeting.ends_at,
                                                               exclude_id=meeting.id)]
        added.append(user)
    meeting.sequence += 1
    db.session.flush()
    attachments = calendar_file(meeting)
    for user in added:
        notify(user, kind="meeting_invitation", link=_link(meeting), title=_("会议邀请：%(t)s", t=meeting.title),
               attachments=attachments)
    audit.record("liaison.meeting.invite", actor=actor, obj=meeting,
                 summary={"users": sorted(u.username for u in users), "conflicts": len(found)})
    return found


def respond(invitation: Invitation, *, actor, response: Response, reason: str = "",
            delegate: User | None = None, expected_version: int | None = None) -> Invitation:
    """Accept, decline (with a reason) or hand the invitation to a colleague (delegate)."""
    meeting = invitation.meeting
    if expected_version is not None and invitation.version != expected_version:
        raise Conflict(_("该邀请已被他人修改，请刷新后重试。"))
    if meeting.state is not State.SCHEDULED:
        raise InvalidTransition(_("会议当前处于“%(s)s”状态，不能再回复邀请。", s=label(meeting.state)))
    if actor is not None and not permissions.can_respond(actor, invitation):
        raise NotAllowed(_("只能回复发给您本人的会议邀请。"))
    reason = (reason or "").strip()
    if response is Response.PENDING:
        raise ValidationFailed(_("请选择接受、谢绝或委派他人参加。"), field="response")
    if response is Response.DECLINED and not reason:
        raise ValidationFailed(_("谢绝参会请说明理由。"), field="reason")
    if response is Response.DELEGATED:
        home = institution_of(invitation.user.organisation).id
        if (delegate is None or not delegate.active or institution_of(delegate.organisation).id != home
                or not delegate.has_role(*LIAISON_ROLES)):
            raise ValidationFailed(_("请选择本单位的一名在职人员代为参会。"), field="delegate")
        if delegate.id == invitation.user_id or any(i.user_id == delegate.id for i in meeting.invitations):
            raise ValidationFailed(_("%(n)s 已在邀请名单中。", n=delegate.display_name), field="delegate")
        db.session.add(Invitation(meeting=meeting, user=delegate, delegated_from_id=invitation.id))
        notify(delegate, kind="meeting_invitation", link=_link(meeting), attachments=calendar_file(meeting),
               title=_("%(who)s委派您参加会议：%(t)s", who=invitation.user.display_name, t=meeting.title))
    invitation.response, invitation.reason = response, reason or None
    invitation.delegate = delegate if response is Response.DELEGATED else None
    invitation.responded_at = utcnow()
    db.session.flush()
    audit.record("liaison.invitation.respond", actor=actor, obj=invitation, summary={
        "meeting": meeting.id, "response": response.value, "delegate": delegate.username if delegate else None})
    if meeting.created_by is not None:
        _tell([meeting.created_by], meeting, "meeting_rsvp", _("%(who)s：%(r)s（%(t)s）",
              who=invitation.user.display_name, r=label(response), t=meeting.title), reason)
    return invitation


def add_agenda_item(meeting: Meeting, *, actor, title: str = "", referral: Referral | None = None,
                    topic=None, report_run=None, expected_version: int | None = None) -> AgendaItem:
    """An agenda item, optionally about a referral, an oversight topic or a produced report — each one the
    actor may see (the page offers only those; a forged id is refused here)."""
    from issues import permissions as topic_permissions
    from reports import permissions as report_permissions
    from reports import queries as report_queries
    from reports.models import RunStatus

    check(meeting, Action.ADD_AGENDA, actor, expected_version=expected_version)
    if referral is not None and actor is not None and not referral_permissions.can_view(actor, referral):
        raise ValidationFailed(_("您无权查看所选移送事项。"), field="referral")
    if topic is not None and actor is not None and not topic_permissions.can_view(actor, topic):
        raise ValidationFailed(_("您无权查看所选监督议题。"), field="topic")
    if report_run is not None and (report_run.status is not RunStatus.SUCCEEDED or (
            actor is not None and not report_permissions.can_download(
                actor, report_run, report_queries.recipients_of(report_run)))):
        raise ValidationFailed(_("您无权查看所选报告。"), field="report")
    title = (title or "").strip()
    if not title and referral is not None:
        title = f"{referral.serial or ''}《{referral.title}》".strip()
    if not title and topic is not None:
        title = _("监督议题《%(t)s》", t=topic.title)
    if not title and report_run is not None:
        title = _("报告：%(t)s", t=report_title(report_run))
    if not title:
        raise ValidationFailed(_("请填写议题，或选择关联的移送事项、监督议题或报告。"), field="title")
    item = AgendaItem(meeting=meeting, title=title[:MAX_TITLE], referral=referral, topic=topic,
                      report_run=report_run, position=max((a.position for a in meeting.agenda), default=0) + 1)
    db.session.add(item)
    meeting.sequence += 1
    db.session.flush()
    audit.record("liaison.meeting.agenda", actor=actor, obj=meeting, summary={
        "title": item.title, "referral": referral.id if referral else None, "topic": topic.id if topic else None,
        "report_run": report_run.id if report_run else None})
    return item


def cancel(meeting: Meeting, *, actor, reason: str, expected_version: int | None = None) -> Meeting:
    check(meeting, Action.CANCEL, actor, expected_version=expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明取消会议的原因。"), field="reason")
    meeting.state, meeting.cancel_reason = State.CANCELLED, reason
    meeting.sequence += 1
    db.session.flush()
    audit.record("liaison.meeting.cancel", actor=actor, obj=meeting, summary={"reason": reason})
    _tell(_attendees(meeting), meeting, "meeting_cancelled", _("会议已取消：%(t)s", t=meeting.title), reason,
          ics=True)
    return meeting


def hold(meeting: Meeting, *, actor, now: dt.datetime | None = None, expected_version: int | None = None) -> Meeting:
    """The meeting took place; its minutes can now be drafted."""
    check(meeting, Action.HOLD, actor, expected_version=expected_version)
    if meeting.starts_at > (now or utcnow()):
        raise ValidationFailed(_("会议尚未开始，开始后才能确认召开并起草纪要。"))
    meeting.state = State.HELD
    db.session.flush()
    audit.record("liaison.meeting.hold", actor=actor, obj=meeting, summary={"title": meeting.title})
    return meeting
