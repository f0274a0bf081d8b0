"""Demo liaison data: designated liaison persons of the demo pairings, past meetings with approved
minutes and action items (one overdue, one carried to the next meeting), upcoming meetings with
invitations, and exchange activities. Everything goes through the real services; idempotent."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.db import db, utcnow
from oversight.orgs.queries import get_by_code
from oversight.workdays import today
from .forms import to_utc
from .exchanges import services as exchanges
from .exchanges.models import ExchangeKind
from .meetings import services as meetings
from .meetings.models import Meeting
from .meetings.workflow import MeetingKind, Response
from .minutes import item_services, services as minutes
from .registry import services as registry
from .registry.models import ContactRole

# (institution, liaison body, primary, deputy contact or None, phone)
DESIGNATIONS = [
    ("JZ-NPC", "JZ-NPC-JSW", "npc.liaison", "npc.reviewer", "023-6388 0101"),
    ("JZ-P", "JZ-P-BGS", "proc.contact", None, "023-6388 0202"),
    ("JZ-NPC-JB", "JZ-NPC-JB-JSW", "jb.liaison", None, "023-6790 1101"),
    ("JZ-P-JB", "JZ-P-JB-BGS", "jb.contact", None, "023-6790 1202"),
    ("JZ-NPC-NA", "JZ-NPC-NA-JSW", "na.liaison", None, "023-6298 2101"),
    ("JZ-P-NA", "JZ-P-NA-BGS", "na.contact", None, "023-6298 2202"),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return to_utc(dt.datetime.combine(day, dt.time(hour)))


def load_liaison() -> int:
    """Create the demo liaison data; nothing if any meeting exists. Returns the meetings created."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)):
        return 0
    user = {u.username: u for u in db.session.scalars(sa.select(User))}
    start = today().replace(month=1, day=1)
    for institution, body, primary, deputy, phone in DESIGNATIONS:
        org = get_by_code(institution)
        registry.designate(actor=None, institution=org, body=get_by_code(body), person=user[primary],
                           contact_role=ContactRole.PRIMARY, valid_from=start, phone=phone)
        if deputy:
            registry.designate(actor=None, institution=org, body=get_by_code(body), person=user[deputy],
                               contact_role=ContactRole.DEPUTY, valid_from=start)
    npc, proc, staff, contact = get_by_code("JZ-NPC"), get_by_code("JZ-P"), user["npc.liaison"], user["proc.contact"]
    day = today()
    past = meetings.schedule(actor=staff, kind=MeetingKind.JOINT_MEETING, title="2026年第三季度联席会议",
                             starts_at=_at(day - dt.timedelta(days=40), 9), ends_at=_at(day - dt.timedelta(days=40), 11),
                             counterpart=proc, place="江州市人大常委会第三会议室")
    for title in ("通报第三季度移送事项办理情况", "研究公益诉讼线索移送机制", "商定第四季度联合调研安排"):
        meetings.add_agenda_item(past, actor=staff, title=title)
    meetings.invite(past, actor=staff, users=[contact, user["npc.reviewer"], user["proc.handler"]])
    for invitation in past.invitations:
        meetings.respond(invitation, actor=invitation.user, response=Response.ACCEPTED)
    meetings.hold(past, actor=staff, now=utcnow())
    record = minutes.start(past, actor=staff)
    minutes.edit(record, actor=staff, summary="会议由市人大监察和司法委员会主持，市人民检察院通报了第三季度工作情况。",
                 discussions={a.id: "与会人员进行了讨论。" for a in past.agenda},
                 present={i.id for i in past.invitations})
    minutes.add_decision(record, actor=staff, text="市人民检察院于两周内报送公益诉讼线索移送台账",
                         agenda_item=past.agenda[1], owner_org=proc, owner=contact,
                         due_on=day - dt.timedelta(days=10))
    minutes.add_decision(record, actor=staff, text="双方联合开展涉企案件办理情况调研", agenda_item=past.agenda[2],
                         owner_org=npc, due_on=day + dt.timedelta(days=30))
    minutes.add_decision(record, actor=staff, text="第四季度联席会议于年底前召开")
    minutes.open_review(record, actor=staff)
    record.review_until = day - dt.timedelta(days=30)  # the demo meeting was 40 days ago: its window has passed
    items = minutes.approve(record, actor=staff)
    item_services.complete(items[1], actor=staff, note="调研方案已印发。")
    upcoming = meetings.schedule(actor=staff, kind=MeetingKind.LIAISON_MEETING, title="2026年第四季度联络会议",
                                 starts_at=_at(day + dt.timedelta(days=1), 14),
                                 ends_at=_at(day + dt.timedelta(days=1), 16), counterpart=proc,
                                 place="江州市人民检察院第二会议室", online_url="")
    meetings.add_agenda_item(upcoming, actor=staff, title="通报第四季度移送事项办理情况")
    meetings.invite(upcoming, actor=staff, users=[contact, user["npc.reviewer"]])
    meetings.respond(upcoming.invitations[0], actor=contact, response=Response.ACCEPTED)
    meetings.schedule(actor=user["jb.liaison"], kind=MeetingKind.CONSULTATION, title="江北区未成年人检察工作会商",
                      starts_at=_at(day + dt.timedelta(days=7), 9), ends_at=_at(day + dt.timedelta(days=7), 11),
                      counterpart=get_by_code("JZ-P-JB"), place="江北区人大常委会会议室")
    hearing = exchanges.plan(actor=contact, kind=ExchangeKind.HEARING, title="邀请人大代表参加公开听证",
                             starts_at=_at(day + dt.timedelta(days=5), 14),
                             ends_at=_at(day + dt.timedelta(days=5), 17), partner=npc, place="江州市人民检察院听证室")
    exchanges.invite(hearing, actor=contact, users=[user["deputy.wang"], staff])
    exchanges.plan(actor=staff, kind=ExchangeKind.PERSONNEL, title="检察官参加《反电信网络诈骗法》执法检查",
                   starts_at=_at(day + dt.timedelta(days=12), 9), ends_at=_at(day + dt.timedelta(days=14), 17),
                   partner=proc, place="各区县")
    db.session.flush()
    from .jobs import reminder_sweep

    reminder_sweep()  # what the 07:00 job would have sent by now: the overdue item, tomorrow's meeting
    return 3
