"""Minutes and action items against a real database: drafting, the amendment window, approval and the
lock, corrections, action items (done, dropped, spawning a referral), follow-ups carried to the next
meeting, the reminder sweep, and the minutes as PDF and DOCX."""
from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
import sqlalchemy as sa

from liaison import jobs
from liaison.meetings import services as meetings
from liaison.meetings.workflow import Response, State
from liaison.minutes import documents, item_services, services as minutes_services
from liaison.minutes.models import ActionItem, Amendment, AmendmentKind
from liaison.minutes.workflow import ItemState, MinutesState
from oversight.db import commit, db
from oversight.errors import InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.models import Notification
from oversight.referrals.models import Referral, ReferralType
from oversight.referrals.workflow import Direction, State as ReferralState
from oversight.workdays import today

from .liaison_fixtures import at, cast, make_meeting  # noqa: F401  (fixtures)

PAST = dict(starts_at=at(20, 9, month=11))


def close_window(minutes):
    """Let the amendment window pass: open the review if needed and move its end into the past."""
    if minutes.state is MinutesState.DRAFT:
        minutes_services.open_review(minutes, actor=minutes.drafted_by)
    minutes.review_until = today() - dt.timedelta(days=1)
    db.session.flush()


def held(cast, make_meeting, **kw):
    m = make_meeting(**{**PAST, **kw})
    for invitation in m.invitations:
        meetings.respond(invitation, actor=invitation.user, response=Response.ACCEPTED)
    meetings.hold(m, actor=cast.staff)
    minutes = minutes_services.start(m, actor=cast.staff)
    commit()
    return m, minutes


def test_minutes_go_from_draft_through_review_to_approved_and_locked(cast, make_meeting):
    m, minutes = held(cast, make_meeting, agenda=["通报移送事项办理情况", "研究公益诉讼线索"],
                      invite=[cast.contact, cast.staff2])
    assert all(i.attended for i in m.invitations)
    first, second = m.agenda
    minutes_services.edit(minutes, actor=cast.staff, summary="会议由陈嘉怡主持。",
                          discussions={first.id: "检察院通报了办理情况。"}, present={m.invitations[0].id})
    decision = minutes_services.add_decision(minutes, actor=cast.staff, text="检察院于月底前报送公益诉讼线索清单",
                                             agenda_item=second, owner_org=cast.world.proc, owner=cast.contact,
                                             due_on=dt.date(2026, 12, 31))
    minutes_services.add_decision(minutes, actor=cast.staff, text="下次会议于一月召开")
    minutes_services.open_review(minutes, actor=cast.staff)
    commit()
    assert minutes.state is MinutesState.REVIEW and minutes.review_until is not None
    with pytest.raises(InvalidTransition):
        minutes_services.edit(minutes, actor=cast.staff, summary="x", discussions={}, present=set())
    minutes_services.propose_amendment(minutes, actor=cast.contact, text="第二项讨论情况补充“已建立台账”。")
    with pytest.raises(NotAllowed):
        minutes_services.propose_amendment(minutes, actor=cast.d_staff, text="无关人员")
    minutes_services.revise(minutes, actor=cast.staff)
    minutes_services.edit(minutes, actor=cast.staff, summary="会议由陈嘉怡主持。",
                          discussions={second.id: "已建立台账。"}, present={i.id for i in m.invitations})
    close_window(minutes)
    with pytest.raises(NotAllowed):
        minutes_services.approve(minutes, actor=cast.contact)
    items = minutes_services.approve(minutes, actor=cast.staff)
    commit()
    assert minutes.state is MinutesState.APPROVED and [i.decision for i in items] == [decision]
    assert items[0].state is ItemState.OPEN and items[0].owner == cast.contact
    with pytest.raises(InvalidTransition, match="已审定并锁定"):
        minutes_services.edit(minutes, actor=cast.staff, summary="改写", discussions={}, present=set())
    with pytest.raises(InvalidTransition, match="已审定并锁定"):
        minutes_services.add_decision(minutes, actor=cast.staff, text="补一项")
    db.session.rollback()
    assert minutes.summary == "会议由陈嘉怡主持。"
    minutes_services.correct(minutes, actor=cast.staff, text="出席人员中漏列周审核。")
    commit()
    kinds = [a.kind for a in db.session.scalars(sa.select(Amendment).order_by(Amendment.id))]
    assert kinds == [AmendmentKind.PROPOSAL, AmendmentKind.CORRECTION]


def test_decision_rules(cast, make_meeting):
    m, minutes = held(cast, make_meeting)
    with pytest.raises(ValidationFailed) as exc:
        minutes_services.add_decision(minutes, actor=cast.staff, text="", owner_org=cast.outsider.organisation,
                                      owner=cast.staff, due_on=dt.date(2026, 12, 1))
    assert set(exc.value.errors) >= {"text", "owner_org", "owner"}
    with pytest.raises(ValidationFailed, match="同时填写"):
        minutes_services.add_decision(minutes, actor=cast.staff, text="只有单位", owner_org=cast.world.proc)


def _item(cast, make_meeting, **kw) -> ActionItem:
    m, minutes = held(cast, make_meeting, agenda=["议题一"], invite=[cast.contact], **kw)
    minutes_services.add_decision(minutes, actor=cast.staff, text="检察院排查涉企案件久拖不决问题",
                                  agenda_item=m.agenda[0], owner_org=cast.world.proc, due_on=dt.date(2026, 12, 15))
    close_window(minutes)
    (item,) = minutes_services.approve(minutes, actor=cast.staff)
    commit()
    return item


def test_action_item_done_dropped_and_spawned_referral(cast, make_meeting):
    item = _item(cast, make_meeting)
    with pytest.raises(NotAllowed):
        item_services.drop(item, actor=cast.contact, reason="x")
    with pytest.raises(ValidationFailed, match="理由"):
        item_services.drop(item, actor=cast.staff, reason="")
    rtype = db.session.scalar(sa.select(ReferralType).where(ReferralType.code == "inspection_finding"))
    referral = item_services.spawn_referral(item, actor=cast.staff, rtype=rtype)
    commit()
    assert referral.state is ReferralState.DRAFT and referral.direction is Direction.NPC_TO_PROCURATORATE
    assert referral.receiver_org == cast.world.proc and referral.title == item.title
    assert "联络会议" in referral.body and "议题一" in referral.body and "2026-12-15" in referral.body
    assert item.referral == referral
    assert item.state is ItemState.OPEN  # spawning a referral leaves the item open until it is done
    item_services.complete(item, actor=cast.contact, note="台账已报送。")  # the owner's side marks it done
    commit()
    assert item.state is ItemState.DONE and item.closed_at is not None
    with pytest.raises(InvalidTransition):
        item_services.complete(item, actor=cast.contact)


def test_open_items_are_carried_to_the_next_meeting_agenda(cast, make_meeting):
    item = _item(cast, make_meeting)
    done = _item(cast, make_meeting, title="另一次会议")
    item_services.complete(done, actor=cast.contact)
    commit()
    nxt = make_meeting(title="下一次联络会议", starts_at=at(15, 9), agenda=["新议题"])
    follow_ups = [a for a in nxt.agenda if a.follow_up is not None]
    assert [a.follow_up for a in follow_ups] == [item]
    assert follow_ups[0].title.startswith("跟进：")
    other_pair = make_meeting(title="区级会议", starts_at=at(16, 9), actor=cast.d_staff, counterpart=cast.world.d_proc)
    assert all(a.follow_up is None for a in other_pair.agenda)


def test_reminder_sweep_sends_each_reminder_once(cast, make_meeting):
    make_meeting(title="明天的会", starts_at=at(11, 9), invite=[cast.contact])
    make_meeting(title="后天的会", starts_at=at(12, 9), invite=[cast.contact])
    item = _item(cast, make_meeting)  # due 2026-12-15, owner: the procuratorate's contacts
    early = jobs.reminder_sweep(dt.date(2026, 12, 7))  # Monday: 12-15 is 6 working days away
    assert (early["meetings"], early["due_soon"]) == (0, 0)
    counts = jobs.reminder_sweep(dt.date(2026, 12, 10))  # Thursday: tomorrow's meeting; 12-15 within 3 wd
    commit()
    assert (counts["meetings"], counts["due_soon"]) == (1, 1) and counts["notifications"] >= 2
    again = jobs.reminder_sweep(dt.date(2026, 12, 10))
    assert (again["meetings"], again["due_soon"]) == (0, 0)
    assert jobs.reminder_sweep(dt.date(2026, 12, 16))["overdue"] == 1
    assert jobs.reminder_sweep(dt.date(2026, 12, 17))["overdue"] == 0
    commit()
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == cast.contact.id))
    assert set(kinds) >= {"action_item_due_soon", "action_item_overdue", "meeting_reminder"}
    assert item.overdue_notified_for == item.due_on


def test_cancelled_meeting_gets_no_reminder(cast, make_meeting):
    m = make_meeting(title="明天的会", starts_at=at(11, 9), invite=[cast.contact])
    meetings.cancel(m, actor=cast.staff, reason="改期")
    commit()
    assert m.state is State.CANCELLED
    assert jobs.reminder_sweep(dt.date(2026, 12, 10))["meetings"] == 0


def test_minutes_pdf_and_docx(cast, make_meeting, app, tmp_path):
    item = _item(cast, make_meeting)
    minutes = item.decision.minutes
    with app.test_request_context():
        pdf = documents.minutes_pdf(minutes)
        docx = documents.minutes_docx(minutes)
    path = tmp_path / "m.pdf"
    path.write_bytes(pdf)
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "联络会议会议纪要" in text and "检察院排查涉企案件久拖不决问题" in text
    from docx import Document

    body = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "议定事项" in body and "检察院排查涉企案件久拖不决问题" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_minutes_are_approved_only_after_the_amendment_window(cast, make_meeting):
    m, minutes = held(cast, make_meeting, agenda=["议题一"], invite=[cast.contact])
    minutes_services.add_decision(minutes, actor=cast.staff, text="检察院报送台账", agenda_item=m.agenda[0],
                                  owner_org=cast.world.proc, due_on=dt.date(2026, 12, 31))
    with pytest.raises(InvalidTransition):  # never straight from the draft
        minutes_services.approve(minutes, actor=cast.staff)
    minutes_services.open_review(minutes, actor=cast.staff)
    with pytest.raises(InvalidTransition, match="期满后才能审定"):
        minutes_services.approve(minutes, actor=cast.staff)
    assert minutes.state is MinutesState.REVIEW and not minutes.decisions[0].action_item
    minutes_services.propose_amendment(minutes, actor=cast.contact, text="补充一句。")
    minutes.review_until = today() - dt.timedelta(days=1)
    with pytest.raises(InvalidTransition, match="修改意见期已于"):
        minutes_services.propose_amendment(minutes, actor=cast.contact, text="迟到的意见。")
    (item,) = minutes_services.approve(minutes, actor=cast.staff)
    assert minutes.state is MinutesState.APPROVED and item.owner_org == cast.world.proc


def test_action_item_list_and_completion_stay_with_the_right_people(cast, make_meeting, make_user):
    from liaison.minutes import queries as minutes_queries
    from oversight.accounts.models import Role

    item = _item(cast, make_meeting)  # owned by the procuratorate; the handler and deputy were not invited
    neighbour = make_user("deputy2", cast.world.station, roles={Role.DEPUTY})
    assert item in minutes_queries.action_items(cast.contact)
    assert item not in minutes_queries.action_items(cast.handler)
    assert item not in minutes_queries.action_items(neighbour)
    with pytest.raises(NotAllowed):  # the organiser does not mark the other side's item done
        item_services.complete(item, actor=cast.staff, note="代为完成")
    item_services.complete(item, actor=cast.contact, note="已完成")
    assert item.state is ItemState.DONE
