"""Liaison use cases against a real database: the registry, meetings and RSVP, conflicts, the .ics
files and the feed, minutes and action items, and refusals that leave nothing half-saved."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from liaison.meetings import ics, queries as meeting_queries, services as meetings
from liaison.meetings.models import Invitation, Meeting
from liaison.meetings.workflow import MeetingKind, Response
from liaison.registry import queries as registry_queries, services as registry
from liaison.registry.models import ContactRole, LiaisonDesignation
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.errors import InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.models import Notification
from oversight.workdays import today

from .liaison_fixtures import at, cast, make_meeting  # noqa: F401  (fixtures)

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- registry ------------------------------------------------------------------------------------

def test_designation_replaces_the_current_one_and_keeps_history(cast):
    w = cast.world
    t = today()
    first = registry.designate(actor=cast.staff, institution=w.npc, body=w.body, person=cast.staff,
                               contact_role=ContactRole.PRIMARY, valid_from=t, phone="023-6000 0001")
    registry.designate(actor=cast.contact, institution=w.proc, body=w.proc, person=cast.contact,
                       contact_role=ContactRole.PRIMARY, valid_from=t)
    commit()
    second = registry.designate(actor=cast.staff, institution=w.npc, body=w.body, person=cast.staff2,
                                contact_role=ContactRole.PRIMARY, valid_from=t + dt.timedelta(days=150))
    commit()
    assert first.valid_to == t + dt.timedelta(days=149)
    assert [d.person for d in registry_queries.current(w.npc, t + dt.timedelta(days=60))] == [cast.staff]
    assert [d.person for d in registry_queries.current(w.npc, t + dt.timedelta(days=200))] == [cast.staff2]
    assert [d.id for d in registry_queries.history(w.npc)] == [second.id, first.id]
    answer = registry_queries.between(w.body, w.dept, t + dt.timedelta(days=200))  # a body and a department stand for their institutions
    assert (answer.first, answer.second) == (w.npc, w.proc)
    assert [d.person for d in answer.second_contacts] == [cast.contact]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "liaison.designation.end")) == 1


def test_designation_rules(cast):
    w = cast.world
    t = today()
    with pytest.raises(NotAllowed):  # the procuratorate does not name the NPC's liaison
        registry.designate(actor=cast.contact, institution=w.npc, body=w.body, person=cast.staff,
                           contact_role=ContactRole.PRIMARY, valid_from=t)
    with pytest.raises(ValidationFailed) as exc:
        registry.designate(actor=cast.staff, institution=w.npc, body=w.proc, person=cast.contact,
                           contact_role=ContactRole.PRIMARY, valid_from=t + dt.timedelta(days=31), valid_to=t)
    assert set(exc.value.errors) == {"body", "person", "valid_to"}
    db.session.rollback()
    assert count(LiaisonDesignation) == 0


def test_back_dated_designation_is_refused(cast):
    w = cast.world
    current = registry.designate(actor=cast.staff, institution=w.npc, body=w.body, person=cast.staff,
                                 contact_role=ContactRole.PRIMARY, valid_from=today())
    commit()
    with pytest.raises(ValidationFailed, match="起始日期不能早于今天"):
        registry.designate(actor=cast.staff, institution=w.npc, body=w.body, person=cast.staff2,
                           contact_role=ContactRole.PRIMARY, valid_from=today() - dt.timedelta(days=30))
    db.session.rollback()
    assert current.valid_to is None and count(LiaisonDesignation) == 1


# --- meetings, invitations, conflicts ------------------------------------------------------------

def test_schedule_invite_and_rsvp(cast, make_meeting):
    m = make_meeting(agenda=["通报第三季度移送事项办理情况", "研究公益诉讼线索移送", "商定下次会议时间"],
                     invite=[cast.contact, cast.handler, cast.staff2])
    assert [a.position for a in m.agenda] == [1, 2, 3]
    assert db.session.scalar(sa.select(sa.func.count()).where(Notification.kind == "meeting_invitation")) == 3
    by_user = {i.user_id: i for i in m.invitations}
    meetings.respond(by_user[cast.contact.id], actor=cast.contact, response=Response.ACCEPTED)
    with pytest.raises(ValidationFailed, match="谢绝参会请说明理由"):
        meetings.respond(by_user[cast.staff2.id], actor=cast.staff2, response=Response.DECLINED)
    meetings.respond(by_user[cast.staff2.id], actor=cast.staff2, response=Response.DECLINED, reason="外出调研")
    with pytest.raises(ValidationFailed, match="本单位"):  # a delegate from the other side is refused
        meetings.respond(by_user[cast.handler.id], actor=cast.handler, response=Response.DELEGATED,
                         delegate=cast.staff)
    meetings.respond(by_user[cast.handler.id], actor=cast.handler, response=Response.DELEGATED,
                     delegate=_colleague(cast))
    with pytest.raises(NotAllowed):
        meetings.respond(by_user[cast.contact.id], actor=cast.staff, response=Response.ACCEPTED)
    commit()
    responses = {i.user.username: i.response for i in m.invitations}
    assert responses == {"contact": Response.ACCEPTED, "handler": Response.DELEGATED, "staff2": Response.DECLINED,
                         "handler_b": Response.PENDING}
    assert verify().ok


def _colleague(cast):
    from oversight.accounts import services
    from oversight.accounts.models import Role

    user = services.create_user(actor=None, username="handler_b", display_name="钱承办", organisation=cast.world.dept,
                                roles={Role.PROCURATORATE_HANDLER}, password="Test-password-2026",
                                must_change_password=False)
    db.session.flush()
    return user


def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(cast, make_meeting):
    before = count(Meeting)
    with pytest.raises(ValidationFailed) as exc:
        meetings.schedule(actor=cast.staff, kind=MeetingKind.JOINT_MEETING, title="联席会议", starts_at=at(10, 15),
                          ends_at=at(10, 9), counterpart=cast.world.proc)
    assert exc.value.errors["ends_at"] == "会议结束时间必须晚于开始时间。"
    db.session.rollback()
    assert count(Meeting) == before
    m = make_meeting()
    with pytest.raises(ValidationFailed) as exc:  # one outsider: nobody is invited
        meetings.invite(m, actor=cast.staff, users=[cast.contact, cast.outsider])
    assert "外市人员" in exc.value.message and "不属于会议双方" in exc.value.message
    db.session.rollback()
    assert count(Invitation) == 0
    with pytest.raises(ValidationFailed, match="对方单位"):
        meetings.schedule(actor=cast.staff, kind=MeetingKind.JOINT_MEETING, title="同侧", starts_at=at(11, 9),
                          ends_at=at(11, 10), counterpart=cast.world.d_npc)
    with pytest.raises(NotAllowed):
        meetings.schedule(actor=cast.handler, kind=MeetingKind.JOINT_MEETING, title="无权", starts_at=at(11, 9),
                          ends_at=at(11, 10), counterpart=cast.world.npc)


def test_conflicting_invitation_is_warned_not_refused(cast, make_meeting):
    make_meeting(title="上午会议", starts_at=at(10, 9), invite=[cast.contact])
    later = make_meeting(title="交叉会议", starts_at=at(10, 10))
    found = meetings.invite(later, actor=cast.staff, users=[cast.contact, cast.staff2])
    commit()
    assert [(u.username, o.title) for u, o in found] == [("contact", "上午会议")]
    assert len(later.invitations) == 2
    assert meeting_queries.conflicts(cast.staff2.id, later.starts_at, later.ends_at, exclude_id=later.id) == []


def test_only_the_organiser_side_runs_the_meeting(cast, make_meeting):
    m = make_meeting(invite=[cast.contact])
    for actor in (cast.contact, cast.reviewer, cast.d_staff):
        with pytest.raises(NotAllowed):
            meetings.cancel(m, actor=actor, reason="x")
    with pytest.raises(ValidationFailed, match="原因"):
        meetings.cancel(m, actor=cast.staff, reason=" ")
    meetings.cancel(m, actor=cast.staff, reason="时间调整")
    with pytest.raises(InvalidTransition):
        meetings.add_agenda_item(m, actor=cast.staff, title="迟到的议程")


# --- calendar files ------------------------------------------------------------------------------

def _event(data: bytes):
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    return cal, events


def test_ics_times_uid_stability_and_cancellation(cast, make_meeting, app):
    m = make_meeting(title="第四季度联络会议", starts_at=at(10, 9), agenda=["通报情况"], invite=[cast.contact])
    with app.test_request_context():
        cal, (event,) = _event(ics.invitation_ics(m))
        assert str(cal["METHOD"]) == "REQUEST"
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=8)
        assert (start.hour, start.minute) == (9, 0) and start == m.starts_at
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert list(cal.walk("VTIMEZONE"))
        uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
        meetings.update(m, actor=cast.staff, kind=m.kind, title="第四季度联络会议（改期）", starts_at=at(11, 14),
                        ends_at=at(11, 16))
        meetings.cancel(m, actor=cast.staff, reason="领导另有安排")
        commit()
        cal, (event,) = _event(ics.invitation_ics(m))
    assert str(event["UID"]) == uid == m.uid
    assert int(event["SEQUENCE"]) > sequence
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("DTSTART").astimezone(SHANGHAI).hour == 14


def test_feed_token_opens_the_feed_and_rotates(cast, make_meeting, app):
    make_meeting(title="会议一", invite=[cast.contact])
    make_meeting(title="会议二", starts_at=at(12, 9), invite=[cast.contact, cast.staff2])
    make_meeting(title="别人的会议", starts_at=at(13, 9), invite=[cast.staff2])
    token = ics.issue_feed_token(cast.contact)
    commit()
    assert ics.feed_owner(token) == cast.contact
    assert ics.feed_owner("guess") is None
    with app.test_request_context():
        data = ics.feed_ics(meeting_queries.for_feed(cast.contact.id, since=at(1, 0)), name="x")
    titles = sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(data).walk("VEVENT"))
    assert titles == ["【联络会议】会议一", "【联络会议】会议二"]
    new = ics.issue_feed_token(cast.contact)
    commit()
    assert ics.feed_owner(token) is None and ics.feed_owner(new) == cast.contact


def test_counterpart_must_be_the_paired_institution_or_below_it(cast, make_org):
    from liaison.exchanges import services as exchanges
    from liaison.exchanges.models import ExchangeKind
    from oversight.orgs.models import OrgKind, OrgLevel

    far = make_org("Y-P", "外市人民检察院", kind=OrgKind.PROCURATORATE, level=OrgLevel.CITY)
    with pytest.raises(ValidationFailed, match="对应的同级"):  # a district committee with the city procuratorate
        meetings.schedule(actor=cast.d_staff, kind=MeetingKind.JOINT_MEETING, title="越级会议", starts_at=at(11, 9),
                          ends_at=at(11, 10), counterpart=cast.world.proc)
    with pytest.raises(ValidationFailed, match="对应的同级"):
        meetings.schedule(actor=cast.staff, kind=MeetingKind.JOINT_MEETING, title="外市", starts_at=at(11, 9),
                          ends_at=at(11, 10), counterpart=far)
    # the city committee may meet the district procuratorate below its paired procuratorate
    assert meetings.schedule(actor=cast.staff, kind=MeetingKind.JOINT_MEETING, title="市区", starts_at=at(11, 9),
                             ends_at=at(11, 10), counterpart=cast.world.d_proc).counterpart_org == cast.world.d_proc
    with pytest.raises(ValidationFailed, match="对应的同级"):
        exchanges.plan(actor=cast.staff, kind=ExchangeKind.HEARING, title="外市活动", starts_at=at(11, 9),
                       ends_at=at(11, 10), partner=far)


def test_exchange_plan_validates_times_and_an_active_partner(cast):
    from liaison.exchanges import services as exchanges
    from liaison.exchanges.models import ExchangeKind

    with pytest.raises(ValidationFailed) as exc:
        exchanges.plan(actor=cast.staff, kind=ExchangeKind.HEARING, title="无时间", starts_at=None, ends_at=None,
                       partner=cast.world.proc)
    assert set(exc.value.errors) >= {"starts_at", "ends_at"}
    cast.world.proc.active = False
    with pytest.raises(ValidationFailed) as exc:
        exchanges.plan(actor=cast.staff, kind=ExchangeKind.HEARING, title="停用单位", starts_at=at(11, 9),
                       ends_at=at(11, 10), partner=cast.world.proc)
    assert "partner" in exc.value.errors


def test_only_liaison_people_are_invited_or_delegated_to(cast, make_meeting):
    from liaison.exchanges import services as exchanges
    from liaison.exchanges.models import ExchangeKind

    m = make_meeting(invite=[cast.staff2])
    for account in (cast.world.admin, cast.world.auditor):
        with pytest.raises(ValidationFailed, match="不能邀请"):
            meetings.invite(m, actor=cast.staff, users=[account])
    with pytest.raises(ValidationFailed) as exc:
        meetings.respond(m.invitations[0], actor=cast.staff2, response=Response.DELEGATED, delegate=cast.world.admin)
    assert "delegate" in exc.value.errors
    activity = exchanges.plan(actor=cast.staff, kind=ExchangeKind.HEARING, title="听证", starts_at=at(11, 9),
                              ends_at=at(11, 10), partner=cast.world.proc)
    with pytest.raises(ValidationFailed, match="不能邀请"):
        exchanges.invite(activity, actor=cast.staff, users=[cast.world.auditor])
