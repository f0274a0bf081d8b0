"""Referral use cases against a real database: every transition of both tables with the right and the
wrong actors, deadlines, extensions, evaluation, numbering, idempotency, races, notifications,
the timeline, the audit chain and the message thread."""
from __future__ import annotations

import datetime as dt
import json
import re
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role, User
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.models import Notification
from oversight.referrals import labels, permissions, report_services, services
from oversight.referrals.models import Referral, ReferralEvent, ReferralMessage, ReferralType
from oversight.referrals.workflow import (NPC_TO_P, P_TO_NPC, TABLES, Action, Direction, Evaluation, Outcome,
                                          State, states_of)
from oversight.workdays import add_months, add_working_days, current_calendar, today

S, A = State, Action
NPC, P = Direction.NPC_TO_PROCURATORATE, Direction.PROCURATORATE_TO_NPC
DAY = dt.timedelta(days=1)


# --- the people -----------------------------------------------------------------------------------

@pytest.fixture
def cast(world, make_user):
    """Everyone who might try to act: the right people, and each kind of wrong one."""
    people = dict(
        staff=world.staff,                                                           # NPC staff, city
        reviewer=make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}),       # right side, wrong role
        deputy=make_user("deputy", world.station, roles={Role.DEPUTY}, display_name="王代表"),  # the proposer
        other_deputy=make_user("deputy2", world.station, roles={Role.DEPUTY}),       # someone else's suggestion
        d_staff=make_user("dstaff", world.d_npc, roles={Role.NPC_STAFF}),            # district committee
        contact=world.contact,                                                       # P contact, city
        handler=make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER}),  # assigned below
        other_handler=make_user("handler2", world.dept, roles={Role.PROCURATORATE_HANDLER}),  # not assigned
        d_contact=make_user("dcontact", world.d_proc, roles={Role.PROCURATORATE_CONTACT}),  # district P
        admin=world.admin,
        auditor=world.auditor,
    )
    return SimpleNamespace(world=world, people=people, **people)


# Who may take each step, written out from DOMAIN.md §4 (not derived from the code under test).
NPC_ALLOWED: dict[tuple[State, Action], set[str]] = {
    (S.DRAFT, A.SEND): {"staff"},
    (S.DRAFT, A.WITHDRAW): {"staff", "deputy"},
    (S.SENT, A.WITHDRAW): {"staff"},
    (S.SENT, A.ACKNOWLEDGE): {"contact"},
    (S.SENT, A.RETURN): {"contact"},
    (S.ACKNOWLEDGED, A.RETURN): {"contact"},
    (S.RETURNED, A.RESEND): {"staff"},
    (S.RETURNED, A.ARCHIVE): {"staff"},
    (S.ACKNOWLEDGED, A.ACCEPT): {"contact"},
    (S.ACCEPTED, A.ASSIGN): {"contact"},
    (S.IN_PROGRESS, A.ASSIGN): {"contact"},
    (S.ACCEPTED, A.REQUEST_EXTENSION): {"contact"},  # no handler is assigned yet
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): {"contact", "handler"},
    (S.ACCEPTED, A.DECIDE_EXTENSION): {"staff"},
    (S.IN_PROGRESS, A.DECIDE_EXTENSION): {"staff"},
    (S.IN_PROGRESS, A.REPLY): {"contact", "handler"},
    (S.REPLIED, A.EVALUATE): {"staff", "deputy"},
    (S.REPLIED, A.CLOSE_WITHOUT_FEEDBACK): set(),  # the system only
    (S.CLOSED, A.ARCHIVE): {"staff"},
    (S.WITHDRAWN, A.ARCHIVE): {"staff"},
    (S.DRAFT, A.CONVERT): {"staff"},
    (S.SENT, A.CONVERT): {"staff"},
    (S.ACCEPTED, A.CONSULT): {"contact"},
    (S.IN_PROGRESS, A.CONSULT): {"contact", "handler"},
    **{(s, A.URGE): {"staff"} for s in (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.IN_PROGRESS)},
}
P_ALLOWED: dict[tuple[State, Action], set[str]] = {
    (S.DRAFT, A.SUBMIT): {"contact"},
    (S.DRAFT, A.WITHDRAW): {"contact"},
    (S.SUBMITTED, A.WITHDRAW): {"contact"},
    (S.SUBMITTED, A.RECEIVE): {"staff"},
    (S.RECEIVED, A.SCHEDULE): {"staff"},
    (S.RECEIVED, A.RECORD): {"staff"},
    (S.SCHEDULED, A.RECORD): {"staff"},
    (S.SCHEDULED, A.ISSUE_OPINIONS): {"staff"},
    (S.SCHEDULED, A.VOTE): {"staff"},
    (S.CLOSED, A.ARCHIVE): {"staff"},
    (S.WITHDRAWN, A.ARCHIVE): {"contact"},
    (S.SUBMITTED, A.URGE): {"contact"},
    (S.RECEIVED, A.URGE): {"contact"},
}
ALLOWED = {NPC: NPC_ALLOWED, P: P_ALLOWED}

# The shortest way to each state.
_TO_CLOSED = [A.SEND, A.ACKNOWLEDGE, A.ACCEPT, A.ASSIGN, A.REPLY, A.EVALUATE]
PATHS = {
    NPC: {S.DRAFT: [], S.SENT: [A.SEND], S.ACKNOWLEDGED: _TO_CLOSED[:2], S.ACCEPTED: _TO_CLOSED[:3],
          S.IN_PROGRESS: _TO_CLOSED[:4], S.REPLIED: _TO_CLOSED[:5], S.CLOSED: _TO_CLOSED,
          S.ARCHIVED: _TO_CLOSED + [A.ARCHIVE], S.RETURNED: [A.SEND, A.RETURN], S.WITHDRAWN: [A.WITHDRAW]},
    P: {S.DRAFT: [], S.SUBMITTED: [A.SUBMIT], S.RECEIVED: [A.SUBMIT, A.RECEIVE],
        S.SCHEDULED: [A.SUBMIT, A.RECEIVE, A.SCHEDULE], S.CLOSED: [A.SUBMIT, A.RECEIVE, A.RECORD],
        S.ARCHIVED: [A.SUBMIT, A.RECEIVE, A.RECORD, A.ARCHIVE], S.WITHDRAWN: [A.WITHDRAW]},
}


def rtype(code: str) -> ReferralType:
    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == code))


def first_actor(direction: Direction, state: State, action: Action) -> str | None:
    allowed = ALLOWED[direction][(state, action)]
    return next((n for n in ("staff", "contact", "handler", "deputy") if n in allowed), None)


# --- doing things ---------------------------------------------------------------------------------

def _until(r: Referral) -> dt.date:
    return (r.result_due or today()) + 10 * DAY


# Each action with valid arguments, so that only the state and the actor decide the answer.
DO = {
    A.SEND: lambda c, r, u: services.send(r, actor=u),
    A.SUBMIT: lambda c, r, u: services.send(r, actor=u),
    A.WITHDRAW: lambda c, r, u: services.withdraw(r, actor=u, reason="重复提交"),
    A.ACKNOWLEDGE: lambda c, r, u: services.acknowledge(r, actor=u),
    A.RETURN: lambda c, r, u: services.return_referral(r, actor=u, reason="不属本院管辖",
                                                       suggested_receiver=c.world.d_proc),
    A.RESEND: lambda c, r, u: services.resend(r, actor=u, receiver=c.world.d_proc),
    A.ACCEPT: lambda c, r, u: services.accept(r, actor=u, procedural_reply="已受理，将在三个月内答复"),
    A.ASSIGN: lambda c, r, u: services.assign(r, actor=u, department=c.world.dept, handler=c.handler),
    A.REQUEST_EXTENSION: lambda c, r, u: services.request_extension(r, actor=u, until=_until(r),
                                                                    reason="需调取外地卷宗"),
    A.DECIDE_EXTENSION: lambda c, r, u: services.decide_extension(r, actor=u, approve=True),
    A.REPLY: lambda c, r, u: services.reply(r, actor=u, outcome=Outcome.RESOLVED, text="已整改完毕"),
    A.EVALUATE: lambda c, r, u: services.evaluate(r, actor=u, evaluation=Evaluation.SATISFIED),
    A.CLOSE_WITHOUT_FEEDBACK: lambda c, r, u: services.close_without_feedback(r),
    A.URGE: lambda c, r, u: services.urge(r, actor=u, note="请加快办理"),
    A.ARCHIVE: lambda c, r, u: services.archive(r, actor=u),
    A.CONVERT: lambda c, r, u: services.convert_to_letter(r, actor=u, letter_type=rtype("deputy_letter"),
                                                          reason="涉及具体案件"),
    A.CONSULT: lambda c, r, u: services.record_consultation(r, actor=u, held_on=today(), note="与代表当面沟通"),
    A.RECEIVE: lambda c, r, u: report_services.receive(r, actor=u),
    A.SCHEDULE: lambda c, r, u: report_services.schedule(r, actor=u, session_date=today() + 30 * DAY),
    A.RECORD: lambda c, r, u: report_services.record(r, actor=u, note="阅知"),
    A.ISSUE_OPINIONS: lambda c, r, u: report_services.issue_opinions(
        r, actor=u, opinions_type=rtype("deliberation_opinion"), title="", text="建议进一步加强公益诉讼检察工作"),
    A.VOTE: lambda c, r, u: report_services.vote(r, actor=u, votes_for=20, against=3, abstain=1),
}


def new_referral(c, direction: Direction = NPC, code: str | None = None, **kw) -> Referral:
    if direction is NPC:
        code = code or "deputy_suggestion"
        kw.setdefault("deputy", c.deputy if rtype(code).requires_deputy else None)
        r = services.create_referral(actor=kw.pop("actor", c.staff), rtype=rtype(code),
                                     receiver=kw.pop("receiver", c.world.proc), title="关于加强未成年人保护的建议",
                                     body="建议加强校园周边治理。", **kw)
    else:
        r = services.create_referral(actor=kw.pop("actor", c.contact), rtype=rtype(code or "special_work_report"),
                                     receiver=kw.pop("receiver", c.world.npc), title="关于公益诉讼检察工作情况的报告",
                                     body="报告正文。", **kw)
    commit()
    return r


def drive(c, direction: Direction, state: State, *, people: dict | None = None, **kw) -> Referral:
    """A committed referral in `state`, reached the usual way by the usual people (or by `people`,
    e.g. {"staff": a district staff member}, when it runs between other organisations)."""
    people = {**c.people, **(people or {})}
    r = new_referral(c, direction, **kw)
    for action in PATHS[direction][state]:
        DO[action](c, r, people[first_actor(direction, r.state, action)])
        commit()
    assert r.state is state
    return r


def prepare(c, r: Referral, action: Action) -> None:
    """What must exist before `action` can be taken, apart from the state."""
    if action is A.DECIDE_EXTENSION:
        DO[A.REQUEST_EXTENSION](c, r, c.contact)
        commit()


def events(r: Referral) -> list[ReferralEvent]:
    return list(db.session.scalars(
        sa.select(ReferralEvent).where(ReferralEvent.referral_id == r.id).order_by(ReferralEvent.id)))


def audits(r: Referral) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "referrals", AuditEntry.object_id == str(r.id))
        .order_by(AuditEntry.seq)))


def audit_summary(r: Referral, action: str) -> dict:
    return json.loads(db.session.scalars(
        sa.select(AuditEntry.summary).where(AuditEntry.object_id == str(r.id), AuditEntry.action == action)
        .order_by(AuditEntry.seq.desc())).first())


def snapshot(r: Referral):
    return r.state, r.version, len(events(r)), len(audits(r))


def notes(user, kind: str | None = None) -> list[str]:
    stmt = sa.select(Notification.title).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def last_event(r: Referral) -> ReferralEvent:
    return events(r)[-1]


# --- every transition, every actor ----------------------------------------------------------------

def test_the_allowed_tables_cover_the_workflow_tables():
    assert set(NPC_ALLOWED) == set(NPC_TO_P) and set(P_ALLOWED) == set(P_TO_NPC)
    assert {s for s in PATHS[NPC]} == set(states_of(NPC)) and set(PATHS[P]) == set(states_of(P))


def _check_step(c, direction: Direction, state: State, action: Action) -> None:
    rule = TABLES[direction][(state, action)]
    allowed = ALLOWED[direction][(state, action)]
    r = drive(c, direction, state)
    prepare(c, r, action)
    before = snapshot(r)
    if action is A.CLOSE_WITHOUT_FEEDBACK:  # no user can call it; the predicate refuses everyone
        assert not [n for n, u in c.people.items() if permissions.can_act(u, r, action)]
    else:
        for name, user in c.people.items():
            if name in allowed:
                continue
            try:
                DO[action](c, r, user)
            except NotAllowed as refused:
                assert "您不能对此事项执行" in refused.message, name
            else:
                pytest.fail(f"{name} was allowed to {action} in {state}")
            assert snapshot(r) == before, f"{name} changed the referral although refused"
            assert action not in permissions.allowed_actions(user, r)
    for name in sorted(allowed) or [None]:
        r = drive(c, direction, state)
        prepare(c, r, action)
        before_events, before_audits = len(events(r)), len(audits(r))
        user = c.people.get(name)
        if user is not None:
            assert action in permissions.allowed_actions(user, r)
        DO[action](c, r, user)
        commit()
        assert r.state is (rule.target or state)
        new_events = events(r)[before_events:]
        assert [(e.action, e.from_state, e.to_state) for e in new_events] == [(action.value, state.value, r.state.value)]
        assert new_events[0].actor_id == (user.id if user else None)
        assert audits(r)[before_audits:] == [f"referral.{action.value}"]
    assert verify().ok


@pytest.mark.parametrize(("state", "action"), [pytest.param(s, a, id=f"{s}-{a}") for s, a in NPC_TO_P])
def test_npc_to_procuratorate_step(cast, state, action):
    _check_step(cast, NPC, state, action)


@pytest.mark.parametrize(("state", "action"), [pytest.param(s, a, id=f"{s}-{a}") for s, a in P_TO_NPC])
def test_procuratorate_to_npc_step(cast, state, action):
    _check_step(cast, P, state, action)


def _check_invalid(c, direction: Direction, state: State) -> None:
    r = drive(c, direction, state)
    before = snapshot(r)
    # `send()` takes the direction's own sending action, so the other direction's one cannot be asked for.
    other_send = A.SUBMIT if direction is NPC else A.SEND
    for action in Action:
        if (state, action) in TABLES[direction] or action is other_send:
            continue
        user = c.staff if action in (A.SEND, A.EVALUATE, A.URGE, A.RECEIVE, A.RECORD) else c.contact
        with pytest.raises(InvalidTransition) as refused:
            DO[action](c, r, user)
        message = refused.value.message
        assert f"“{labels.state(state)}”" in message and f"“{labels.action(action)}”" in message
        assert "不能执行" in message and re.search(r"[\u4e00-\u9fff]", message)
        assert snapshot(r) == before, action


@pytest.mark.parametrize("state", states_of(NPC))
def test_npc_to_procuratorate_actions_not_valid_in_state(cast, state):
    _check_invalid(cast, NPC, state)


@pytest.mark.parametrize("state", states_of(P))
def test_procuratorate_to_npc_actions_not_valid_in_state(cast, state):
    _check_invalid(cast, P, state)


def test_a_district_contact_cannot_act_for_the_city_procuratorate(cast):
    r = drive(cast, NPC, S.SENT)
    assert not permissions.can_act(cast.d_contact, r, A.ACKNOWLEDGE)
    with pytest.raises(NotAllowed):
        services.acknowledge(r, actor=cast.d_contact)
    # …but acts for its own procuratorate.
    own = drive(cast, NPC, S.SENT, code="inspection_finding", actor=cast.d_staff, receiver=cast.world.d_proc,
                people={"staff": cast.d_staff})
    services.acknowledge(own, actor=cast.d_contact)
    commit()
    assert own.state is S.ACKNOWLEDGED
    with pytest.raises(NotAllowed):  # and the city's staff do not act for the district committee
        services.urge(own, actor=cast.staff)
    with pytest.raises(NotAllowed, match="只能以本单位名义"):  # nor does a district write in the city's name
        services.create_referral(actor=cast.d_staff, rtype=rtype("inspection_finding"), receiver=cast.world.proc,
                                 sender=cast.world.npc, title="问题", body="内容")


# --- deadlines --------------------------------------------------------------------------------------

def test_send_starts_the_clocks_from_the_type(cast):
    start = today()
    r = drive(cast, NPC, S.SENT)
    assert r.ack_due == add_working_days(start, 3)
    assert r.result_due == add_months(start, 3)
    assert r.cap_due == add_months(start, 6)
    assert r.ack_due <= r.result_due <= r.cap_due
    assert r.current_due == r.ack_due
    assert last_event(r).due_before is None and last_event(r).due_after == r.ack_due

    services.acknowledge(r, actor=cast.contact)
    commit()
    assert r.procedural_due is None and r.current_due == r.result_due  # suggestions have no procedural reply

    petition = drive(cast, NPC, S.ACKNOWLEDGED, code="litigation_petition")
    assert petition.cap_due is None and petition.result_due == add_months(start, 3)
    assert petition.procedural_due == add_working_days(start, 7) == petition.current_due  # 件件有回复

    report = drive(cast, P, S.SUBMITTED)
    assert report.ack_due == add_working_days(start, 5) == report.current_due
    assert report.result_due is None and report.cap_due is None


def test_extension_moves_the_due_date_within_the_cap(cast):
    r = drive(cast, NPC, S.IN_PROGRESS)
    old = r.result_due
    with pytest.raises(ValidationFailed, match="没有待审批的延期申请"):
        services.decide_extension(r, actor=cast.staff, approve=True)
    with pytest.raises(ValidationFailed, match="不能超过最长办理期限"):
        services.request_extension(r, actor=cast.handler, until=r.cap_due + DAY, reason="案情复杂")
    with pytest.raises(ValidationFailed, match="须晚于当前办理期限"):
        services.request_extension(r, actor=cast.handler, until=old, reason="案情复杂")
    with pytest.raises(ValidationFailed, match="须说明理由"):
        services.request_extension(r, actor=cast.handler, until=old + DAY, reason="  ")
    assert snapshot(r)[2:] == (4, 5)  # send … assign; create … assign

    until = old + 14 * DAY
    assert until <= r.cap_due
    services.request_extension(r, actor=cast.handler, until=until, reason="需调取外地卷宗")
    commit()
    assert r.extension_requested_until == until and r.result_due == old  # nothing moves before approval
    assert notes(cast.staff, "extension_asked")
    with pytest.raises(ValidationFailed, match="已有延期申请待审批"):
        services.request_extension(r, actor=cast.contact, until=until + DAY, reason="再延")

    services.decide_extension(r, actor=cast.staff, approve=True, note="同意")
    commit()
    assert (r.result_due, r.current_due, r.extensions_granted, r.extension_requested_until) == (until, until, 1, None)
    event = last_event(r)
    assert (event.action, event.due_before, event.due_after) == ("decide_extension", old, until)
    assert audit_summary(r, "referral.decide_extension")["approved"] is True
    assert notes(cast.handler, "extension_decided") and notes(cast.contact, "extension_decided")

    with pytest.raises(ValidationFailed, match="最多可延期 1 次"):  # max_extensions of suggestions
        services.request_extension(r, actor=cast.handler, until=until + DAY, reason="再延")


def test_extension_refusal_needs_a_reason_and_keeps_the_due_date(cast):
    r = drive(cast, NPC, S.ACCEPTED)
    old = r.result_due
    services.request_extension(r, actor=cast.contact, until=old + 7 * DAY, reason="案情复杂")
    commit()
    with pytest.raises(ValidationFailed, match="不同意延期须说明理由"):
        services.decide_extension(r, actor=cast.staff, approve=False, note=" ")
    services.decide_extension(r, actor=cast.staff, approve=False, note="理由不充分")
    commit()
    assert (r.result_due, r.extensions_granted, r.extension_requested_until) == (old, 0, None)
    event = last_event(r)
    assert event.due_before == event.due_after == old and "不同意延期：理由不充分" in event.note
    # A refused request does not use up the allowance.
    services.request_extension(r, actor=cast.contact, until=old + 7 * DAY, reason="补充材料")
    commit()
    assert r.extension_requested_until == old + 7 * DAY


def test_approval_checks_the_cap_again(cast):
    """Defence in depth: a cap that moved after the request (a data correction) still binds the approver."""
    r = drive(cast, NPC, S.IN_PROGRESS)
    until = r.result_due + 14 * DAY
    services.request_extension(r, actor=cast.handler, until=until, reason="案情复杂")
    commit()
    r.cap_due = until - DAY
    commit()
    with pytest.raises(ValidationFailed, match="不能超过最长办理期限"):
        services.decide_extension(r, actor=cast.staff, approve=True)
    db.session.rollback()
    assert r.result_due == until - 14 * DAY and r.extensions_granted == 0


def test_the_receivers_head_approves_where_the_type_says_so(cast):
    r = drive(cast, NPC, S.IN_PROGRESS, code="litigation_petition")
    services.request_extension(r, actor=cast.handler, until=r.result_due + 30 * DAY, reason="需要鉴定")
    commit()
    assert notes(cast.contact, "extension_asked") and not notes(cast.staff, "extension_asked")
    with pytest.raises(NotAllowed):
        services.decide_extension(r, actor=cast.staff, approve=True)
    services.decide_extension(r, actor=cast.contact, approve=True)
    commit()
    assert r.extensions_granted == 1


# --- evaluation -------------------------------------------------------------------------------------

@pytest.mark.parametrize("evaluation", [Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED])
def test_satisfied_closes(cast, evaluation):
    r = drive(cast, NPC, S.REPLIED)
    assert r.evaluation_due == add_working_days(today(), 15) == r.current_due
    services.evaluate(r, actor=cast.staff, evaluation=evaluation)
    commit()
    assert (r.state, r.evaluation, r.round, r.evaluation_due, r.current_due) == (S.CLOSED, evaluation, 1, None, None)
    assert r.closed_at is not None
    assert notes(cast.contact, "evaluated")


def test_dissatisfied_needs_reasons_and_changes_nothing_without_them(cast):
    r = drive(cast, NPC, S.REPLIED)
    before = snapshot(r)
    with pytest.raises(ValidationFailed, match="须说明理由"):
        services.evaluate(r, actor=cast.staff, evaluation=Evaluation.DISSATISFIED, reasons="  ")
    assert snapshot(r) == before
    assert (r.evaluation, r.evaluated_at) == (None, None) and r.evaluation_due is not None
    with pytest.raises(ValidationFailed, match="请选择评价结果"):
        services.evaluate(r, actor=cast.staff, evaluation=Evaluation.NO_FEEDBACK)
    assert snapshot(r) == before and r.evaluation is None


def test_dissatisfied_reopens_for_another_round_until_the_last(cast):
    r = drive(cast, NPC, S.REPLIED)
    assert r.type.max_rehandling_rounds == 2
    for round_ in (2, 3):
        services.evaluate(r, actor=cast.staff, evaluation=Evaluation.DISSATISFIED, reasons="措施不具体")
        commit()
        assert (r.state, r.round, r.evaluation) == (S.IN_PROGRESS, round_, Evaluation.DISSATISFIED)
        assert r.result_due == add_months(today(), 1) == r.current_due  # re-handling: 1 month
        assert last_event(r).round == round_ and last_event(r).to_state == "in_progress"
        assert notes(cast.handler, "reopened")
        services.reply(r, actor=cast.handler, outcome=Outcome.IN_PROGRESS, text=f"第{round_}轮答复")
        commit()
    services.evaluate(r, actor=cast.staff, evaluation=Evaluation.DISSATISFIED, reasons="仍不满意")
    commit()
    assert (r.state, r.round, r.evaluation) == (S.CLOSED, 3, Evaluation.DISSATISFIED)
    assert "转联席会议或专家评估" in last_event(r).note
    assert [e.action for e in events(r)].count("evaluate") == 3


def test_dissatisfied_on_a_petition_asks_for_clarification_in_the_same_round(cast):
    r = drive(cast, NPC, S.REPLIED, code="litigation_petition")
    services.evaluate(r, actor=cast.staff, evaluation=Evaluation.DISSATISFIED, reasons="答复未说明依据")
    commit()
    assert (r.state, r.round) == (S.IN_PROGRESS, 1)
    assert r.result_due == add_months(today(), 1)
    assert "要求补充说明" in last_event(r).note


def test_close_without_feedback_is_the_systems(cast):
    r = drive(cast, NPC, S.REPLIED)
    services.close_without_feedback(r)
    commit()
    assert (r.state, r.evaluation, r.evaluation_due) == (S.CLOSED, Evaluation.NO_FEEDBACK, None)
    event = last_event(r)
    assert (event.actor_id, event.side, event.actor_label) == (None, "system", "系统")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "referral.close_without_feedback")).one()
    assert entry.actor_id is None and entry.actor_label == "系统"


def test_a_deputy_evaluates_their_own_suggestion_only(cast):
    r = drive(cast, NPC, S.REPLIED)
    assert r.deputy_id == cast.deputy.id
    with pytest.raises(NotAllowed):
        services.evaluate(r, actor=cast.other_deputy, evaluation=Evaluation.SATISFIED)
    services.evaluate(r, actor=cast.deputy, evaluation=Evaluation.BASICALLY_SATISFIED)
    commit()
    assert r.state is S.CLOSED and last_event(r).actor_id == cast.deputy.id


def test_a_deputy_drafts_a_suggestion_in_their_own_name(cast):
    r = services.create_referral(actor=cast.deputy, rtype=rtype("deputy_suggestion"), receiver=cast.world.proc,
                                 title="建议", body="内容", deputy=cast.other_deputy)
    commit()
    assert r.deputy_id == cast.deputy.id and r.sender_org_id == cast.world.npc.id
    with pytest.raises(NotAllowed, match="人大代表只能提出代表建议"):
        services.create_referral(actor=cast.deputy, rtype=rtype("inspection_finding"), receiver=cast.world.proc,
                                 title="问题", body="内容")
    with pytest.raises(NotAllowed):  # the staff sends it
        services.send(r, actor=cast.deputy)


# --- side paths ---------------------------------------------------------------------------------------

def test_return_and_resend_to_another_receiver(cast):
    r = drive(cast, NPC, S.ACKNOWLEDGED)
    serial = r.serial
    with pytest.raises(ValidationFailed, match="退回须说明理由"):
        services.return_referral(r, actor=cast.contact, reason="", suggested_receiver=cast.world.d_proc)
    with pytest.raises(ValidationFailed, match="建议的接收单位"):
        services.return_referral(r, actor=cast.contact, reason="不属本院管辖", suggested_receiver=None)
    with pytest.raises(ValidationFailed, match="不能是本单位"):
        services.return_referral(r, actor=cast.contact, reason="不属本院管辖", suggested_receiver=cast.world.proc)
    services.return_referral(r, actor=cast.contact, reason="属区院管辖", suggested_receiver=cast.world.d_proc)
    commit()
    assert (r.state, r.return_reason, r.suggested_receiver_id) == (S.RETURNED, "属区院管辖", cast.world.d_proc.id)
    assert r.current_due is None
    assert notes(cast.staff, "returned") and notes(cast.deputy, "returned")

    with pytest.raises(ValidationFailed, match="原单位已退回"):
        services.resend(r, actor=cast.staff, receiver=cast.world.proc)
    with pytest.raises(ValidationFailed, match="请选择接收的人民检察院"):
        services.resend(r, actor=cast.staff, receiver=cast.world.npc)
    services.resend(r, actor=cast.staff, receiver=cast.world.d_proc)
    commit()
    assert (r.state, r.serial, r.receiver_org_id) == (S.SENT, serial, cast.world.d_proc.id)
    assert (r.acknowledged_at, r.procedural_due) == (None, None) and r.ack_due == add_working_days(today(), 3)
    assert notes(cast.d_contact, "received")
    assert [e.action for e in events(r)] == ["send", "acknowledge", "return", "resend"]
    assert "市人民检察院" in last_event(r).note
    services.acknowledge(r, actor=cast.d_contact)  # the new receiver takes it from here
    commit()
    with pytest.raises(NotAllowed):
        services.accept(r, actor=cast.contact, procedural_reply="已受理")


def test_withdraw_only_before_acknowledgement(cast):
    r = drive(cast, NPC, S.SENT)
    services.withdraw(r, actor=cast.staff, reason="内容有误")
    commit()
    assert r.state is S.WITHDRAWN and last_event(r).note == "内容有误"
    assert notes(cast.contact, "withdrawn")

    late = drive(cast, NPC, S.ACKNOWLEDGED)
    with pytest.raises(InvalidTransition, match="已签收"):
        services.withdraw(late, actor=cast.staff)
    report = drive(cast, P, S.RECEIVED)
    with pytest.raises(InvalidTransition, match="已接收"):
        services.withdraw(report, actor=cast.contact)


def test_convert_a_suggestion_into_a_deputys_letter(cast):
    r = drive(cast, NPC, S.SENT)
    serial, sent_event = r.serial, events(r)[0].id
    with pytest.raises(ValidationFailed, match="理由"):
        services.convert_to_letter(r, actor=cast.staff, letter_type=rtype("deputy_letter"), reason="")
    with pytest.raises(ValidationFailed, match="请选择代表来信类型"):
        services.convert_to_letter(r, actor=cast.staff, letter_type=rtype("work_report"), reason="涉及具体案件")
    with pytest.raises(ValidationFailed, match="请选择代表来信类型"):
        services.convert_to_letter(r, actor=cast.staff, letter_type=rtype("deputy_suggestion"), reason="涉及具体案件")
    services.convert_to_letter(r, actor=cast.staff, letter_type=rtype("deputy_letter"), reason="涉及具体案件")
    commit()
    assert (r.type.code, r.state, r.serial, r.deputy_id) == ("deputy_letter", S.SENT, serial, cast.deputy.id)
    assert [(e.id == sent_event, e.action) for e in events(r)] == [(True, "send"), (False, "convert")]
    assert "由“代表建议”转为“代表转交来信”：涉及具体案件" in last_event(r).note
    assert audit_summary(r, "referral.convert").items() >= {"from_type": "代表建议", "to_type": "deputy_letter"}.items()
    assert r.cap_due is None and r.result_due == add_months(today(), 3)  # the letter's rules now
    with pytest.raises(ValidationFailed, match="只有代表建议"):  # once is enough
        services.convert_to_letter(r, actor=cast.staff, letter_type=rtype("deputy_letter"), reason="再转")


def test_consultation_is_recorded_on_the_timeline(cast):
    r = drive(cast, NPC, S.IN_PROGRESS)
    with pytest.raises(ValidationFailed, match="已举行面商的日期"):
        services.record_consultation(r, actor=cast.handler, held_on=today() + DAY, note="预约")
    with pytest.raises(ValidationFailed, match="请记录面商情况"):
        services.record_consultation(r, actor=cast.handler, held_on=today(), note="")
    services.record_consultation(r, actor=cast.handler, held_on=today() - DAY, note="与王代表当面沟通")
    commit()
    assert r.state is S.IN_PROGRESS
    assert last_event(r).note == f"{(today() - DAY).isoformat()} 面商：与王代表当面沟通"


def test_urges_are_counted(cast):
    r = drive(cast, NPC, S.ACCEPTED)
    for n in (1, 2, 3):
        services.urge(r, actor=cast.staff, note=f"第{n}次催办")
        commit()
        assert r.urge_count == n and audit_summary(r, "referral.urge")["urge_count"] == n
    assert [e.action for e in events(r)].count("urge") == 3
    assert len(notes(cast.contact, "urged")) == 3
    assert r.state is S.ACCEPTED


def test_archive_ends_everything(cast):
    for r in (drive(cast, NPC, S.CLOSED), drive(cast, NPC, S.WITHDRAWN), drive(cast, NPC, S.RETURNED),
              drive(cast, P, S.CLOSED)):
        actor = cast.contact if r.direction is P and r.state is S.WITHDRAWN else cast.staff
        services.archive(r, actor=actor)
        commit()
        assert r.state is S.ARCHIVED
        for user in cast.people.values():
            assert permissions.allowed_actions(user, r) == []


def test_assign_only_to_a_department_of_the_receiver(cast, make_org, make_user):
    from oversight.orgs.models import OrgKind

    r = drive(cast, NPC, S.ACCEPTED)
    d_dept = make_org("D-P-D1", "区院第一检察部", kind=OrgKind.PROCURATORATE_DEPARTMENT, parent=cast.world.d_proc)
    d_handler = make_user("dhandler", d_dept, roles={Role.PROCURATORATE_HANDLER})
    for department in (cast.world.d_proc, d_dept, cast.world.body):
        with pytest.raises(ValidationFailed, match="本院的内设部门"):
            services.assign(r, actor=cast.contact, department=department, handler=None)
    with pytest.raises(ValidationFailed, match="承办人"):
        services.assign(r, actor=cast.contact, department=cast.world.dept, handler=d_handler)
    services.assign(r, actor=cast.contact, department=cast.world.dept, handler=cast.handler)
    commit()
    assert (r.state, r.department_id, r.handler_id) == (S.IN_PROGRESS, cast.world.dept.id, cast.handler.id)
    # Reassignment to a colleague: the new handler acts, the former one no longer does.
    services.assign(r, actor=cast.contact, department=cast.world.dept, handler=cast.other_handler)
    commit()
    with pytest.raises(NotAllowed):
        services.reply(r, actor=cast.handler, outcome=Outcome.RESOLVED, text="答复")
    services.reply(r, actor=cast.other_handler, outcome=Outcome.RESOLVED, text="答复")
    commit()
    assert r.state is S.REPLIED


# --- procuratorate → NPC --------------------------------------------------------------------------

def test_report_submitted_received_scheduled_and_recorded(cast):
    r = new_referral(cast, P)
    services.send(r, actor=cast.contact)
    commit()
    assert r.state is S.SUBMITTED and r.serial.startswith(f"C-P-{today().year}-")
    assert notes(cast.staff, "received") and not notes(cast.d_staff)
    report_services.receive(r, actor=cast.staff)
    commit()
    assert r.state is S.RECEIVED and r.acknowledged_at is not None
    assert notes(cast.contact, "received_by_npc")
    with pytest.raises(ValidationFailed, match="今后举行的常委会会议日期"):
        report_services.schedule(r, actor=cast.staff, session_date=today() - DAY)
    with pytest.raises(ValidationFailed):
        report_services.schedule(r, actor=cast.staff, session_date=None)
    session = today() + 25 * DAY
    report_services.schedule(r, actor=cast.staff, session_date=session)
    commit()
    assert (r.state, r.session_date) == (S.SCHEDULED, session)
    assert notes(cast.contact, "scheduled")
    report_services.record(r, actor=cast.staff, note="阅知")
    commit()
    assert r.state is S.CLOSED and r.closed_at is not None


def test_issuing_opinions_sends_a_linked_referral(cast):
    report = drive(cast, P, S.SCHEDULED)
    with pytest.raises(ValidationFailed, match="请选择审议意见类型"):
        report_services.issue_opinions(report, actor=cast.staff, opinions_type=rtype("work_report"), title="", text="意见")
    with pytest.raises(ValidationFailed, match="请填写审议意见"):
        report_services.issue_opinions(report, actor=cast.staff, opinions_type=rtype("deliberation_opinion"),
                                       title="", text=" ")
    opinions = report_services.issue_opinions(report, actor=cast.staff, opinions_type=rtype("deliberation_opinion"),
                                              title="", text="一、加强公益诉讼；二、完善机制。")
    commit()
    assert report.state is S.CLOSED
    assert (opinions.direction, opinions.type.code, opinions.state) == (NPC, "deliberation_opinion", S.SENT)
    assert (opinions.parent_id, opinions.sender_org_id, opinions.receiver_org_id) == (
        report.id, cast.world.npc.id, cast.world.proc.id)
    assert re.fullmatch(rf"SRD-{today().year}-\d{{4}}", opinions.serial)
    assert opinions.title == f"关于{report.title}的审议意见"
    assert opinions.ack_due == add_working_days(today(), 5)  # opinions: 5 working days
    assert report_services.children(report) == [opinions]
    assert opinions.serial in last_event(report).note
    assert audits(opinions) == ["referral.create", "referral.send"]
    assert any(opinions.serial in t for t in notes(cast.contact, "received"))
    services.acknowledge(opinions, actor=cast.contact)  # and the procuratorate takes it up
    commit()
    assert opinions.state is S.ACKNOWLEDGED


def test_a_failed_vote_opens_a_re_report(cast):
    passed = drive(cast, P, S.SCHEDULED)
    assert report_services.vote(passed, actor=cast.staff, votes_for=20, against=3, abstain=1) is None
    commit()
    assert (passed.state, passed.vote_for) == (S.CLOSED, 20)

    failed = drive(cast, P, S.SCHEDULED)
    with pytest.raises(ValidationFailed, match="有效的表决票数"):
        report_services.vote(failed, actor=cast.staff, votes_for=0, against=0, abstain=0)
    with pytest.raises(ValidationFailed, match="有效的表决票数"):
        report_services.vote(failed, actor=cast.staff, votes_for=5, against=-1, abstain=0)
    again = report_services.vote(failed, actor=cast.staff, votes_for=10, against=8, abstain=3)  # 10 of 21: no majority
    commit()
    assert failed.state is S.CLOSED and audit_summary(failed, "referral.vote")["passed"] is False
    assert (again.state, again.direction, again.type_id, again.parent_id) == (S.DRAFT, P, failed.type_id, failed.id)
    assert again.serial is None and again.result_due == add_months(today(), 3)
    assert again.sender_org_id == cast.world.proc.id and again.receiver_org_id == cast.world.npc.id
    assert audits(again) == ["referral.create"]
    assert notes(cast.contact, "vote_failed")
    services.send(again, actor=cast.contact)  # the procuratorate reports again
    commit()
    assert again.state is S.SUBMITTED


def test_lead_times_flag_non_working_days(app):
    cal = current_calendar()
    session = today() + 30 * DAY
    while cal.is_working_day(session - 20 * DAY):
        session += DAY
    rows = {row.days_before: row for row in report_services.lead_times(session)}
    assert set(rows) == {20, 10, 7}
    flagged = rows[20]
    assert flagged.date == session - 20 * DAY and flagged.working is False
    expected = flagged.date - DAY
    while not cal.is_working_day(expected):
        expected -= DAY
    assert flagged.suggested == expected < flagged.date
    for row in rows.values():
        assert row.date == session - row.days_before * DAY
        assert row.working is cal.is_working_day(row.date)
        assert (row.suggested == row.date) is row.working and cal.is_working_day(row.suggested)
    assert rows[7].label == "印发常委会组成人员"


# --- numbering, idempotency, races ----------------------------------------------------------------

def test_serials_are_consecutive_per_sender_and_never_reused(cast):
    year = today().year
    a, b = drive(cast, NPC, S.SENT), drive(cast, NPC, S.SENT)
    assert (a.serial, b.serial) == (f"SRD-{year}-0001", f"SRD-{year}-0002")
    district = drive(cast, NPC, S.SENT, code="inspection_finding", actor=cast.d_staff, receiver=cast.world.d_proc,
                     people={"staff": cast.d_staff})
    assert district.serial == f"D-NPC-{year}-0001"  # no prefix set: the organisation's code
    report = drive(cast, P, S.SUBMITTED)
    assert report.serial == f"C-P-{year}-0001"
    services.withdraw(b, actor=cast.staff)
    commit()
    draft = drive(cast, NPC, S.WITHDRAWN)
    assert b.serial == f"SRD-{year}-0002" and draft.serial is None  # drafts get a number only when sent
    c = drive(cast, NPC, S.SENT)
    assert c.serial == f"SRD-{year}-0003"
    returned = drive(cast, NPC, S.RETURNED)
    services.resend(returned, actor=cast.staff, receiver=cast.world.d_proc)
    commit()
    assert returned.serial == f"SRD-{year}-0004"  # resending keeps the number
    assert drive(cast, NPC, S.SENT).serial == f"SRD-{year}-0005"
    serials = list(db.session.scalars(sa.select(Referral.serial).where(Referral.serial.is_not(None))))
    assert len(serials) == len(set(serials)) == 7


def test_the_same_client_token_gives_the_same_referral(cast):
    first = new_referral(cast, NPC, client_token="form-7f3a")
    again = new_referral(cast, NPC, client_token="form-7f3a")
    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1
    assert audits(first) == ["referral.create"]
    other = new_referral(cast, NPC, client_token="form-other")
    assert other.id != first.id


def test_a_stale_expected_version_is_refused_before_any_change(cast):
    r = drive(cast, NPC, S.SENT)
    before = snapshot(r)
    with pytest.raises(Conflict, match="已被他人修改"):
        services.acknowledge(r, actor=cast.contact, expected_version=r.version - 1)
    assert snapshot(r) == before and r.acknowledged_at is None
    services.acknowledge(r, actor=cast.contact, expected_version=r.version)
    commit()
    assert r.state is S.ACKNOWLEDGED


def _load_elsewhere(app, referral_id: int, user_id: int):
    """What a second user's request loaded: read in its own app context (own session, own transaction)
    and kept, as a page holds what it showed, while someone else acts."""
    with app.app_context():
        r = db.session.get(Referral, referral_id)
        user = db.session.get(User, user_id)
        assert r.state is S.SENT and user.roles and user.organisation
        db.session.close()  # ends its transaction; the objects leave the session with the values as read
    return r, user


def test_two_users_acknowledge_at_once_one_wins(app, cast, make_user):
    colleague = make_user("contact2", cast.world.proc, roles={Role.PROCURATORATE_CONTACT})
    r = drive(cast, NPC, S.SENT)
    ids = r.id, colleague.id
    db.session.commit()  # SQLite: end this session's transaction, so the other one may begin
    stale, other = _load_elsewhere(app, *ids)

    services.acknowledge(r, actor=cast.contact)  # the first one commits
    commit()

    with app.app_context():  # the second one, in its own session, on what it had read
        db.session.add_all([stale, other])
        with pytest.raises(Conflict, match="已被他人修改"):
            services.acknowledge(stale, actor=other)
            commit()
        db.session.rollback()

    db.session.expire_all()
    assert r.state is S.ACKNOWLEDGED
    assert [e.action for e in events(r)] == ["send", "acknowledge"] and events(r)[1].actor_id == cast.contact.id
    assert audits(r).count("referral.acknowledge") == 1
    assert verify().ok


def test_two_overlapping_transactions_on_postgresql(app, cast, make_user, engine_name):
    """Two requests in flight together (threads, own sessions): both read the referral, then both
    acknowledge at once. One wins; the other is told someone changed it — nothing is doubled."""
    if engine_name != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: two writing transactions never overlap")
    colleague = make_user("contact2", cast.world.proc, roles={Role.PROCURATORATE_CONTACT})
    r = drive(cast, NPC, S.SENT)
    rid, user_ids = r.id, (cast.contact.id, colleague.id)
    db.session.commit()
    both_read = threading.Barrier(2, timeout=30)
    outcomes: dict[int, object] = {}

    def request(user_id: int):
        with app.app_context():
            try:
                mine, actor = db.session.get(Referral, rid), db.session.get(User, user_id)
                assert mine.state is S.SENT and actor.roles
                both_read.wait()
                services.acknowledge(mine, actor=actor)
                commit()
                outcomes[user_id] = "ok"
            except Exception as exc:  # reported by the test below
                db.session.rollback()
                outcomes[user_id] = exc

    threads = [threading.Thread(target=request, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == sorted(user_ids)
    winners = [uid for uid, o in outcomes.items() if o == "ok"]
    losers = [o for o in outcomes.values() if o != "ok"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], Conflict) and "已被他人修改" in losers[0].message, losers[0]
    db.session.expire_all()
    assert [(e.action, e.actor_id) for e in events(r)] == [("send", cast.staff.id), ("acknowledge", winners[0])]
    assert audits(r).count("referral.acknowledge") == 1
    assert verify().ok


# --- notifications, audit, timeline -----------------------------------------------------------------

def test_the_right_people_are_notified(cast):
    r = drive(cast, NPC, S.SENT)
    assert notes(cast.contact, "received") == [f"收到新事项：{r.serial}《{r.title}》"]
    assert not notes(cast.d_contact) and not notes(cast.staff)  # not the district, not the sender
    services.acknowledge(r, actor=cast.contact)
    services.accept(r, actor=cast.contact, procedural_reply="已受理")
    commit()
    assert notes(cast.staff, "accepted") and notes(cast.deputy, "accepted")
    services.assign(r, actor=cast.contact, department=cast.world.dept, handler=cast.handler)
    commit()
    assert notes(cast.handler, "assigned") == [f"交办给您的事项：{r.serial}《{r.title}》"]
    assert not notes(cast.other_handler)
    services.reply(r, actor=cast.handler, outcome=Outcome.PLANNED, text="已列入明年工作计划")
    commit()
    for person in (cast.staff, cast.deputy):
        (title,) = notes(person, "evaluation_asked")
        assert "请评价" in title and r.serial in title
    assert not notes(cast.d_staff) and not notes(cast.other_deputy) and not notes(cast.reviewer, "evaluation_asked")
    body = db.session.scalar(sa.select(Notification.body).where(Notification.kind == "evaluation_asked"))
    assert body == "列入计划"
    links = set(db.session.scalars(sa.select(Notification.link)))
    assert links == {f"/referrals/{r.id}"}


def test_every_transition_writes_one_event_and_one_audit_entry(cast):
    r = drive(cast, NPC, S.CLOSED)
    actions = ["send", "acknowledge", "accept", "assign", "reply", "evaluate"]
    assert [e.action for e in events(r)] == actions
    assert audits(r) == ["referral.create"] + [f"referral.{a}" for a in actions]
    chain = [(e.from_state, e.to_state) for e in events(r)]
    assert chain == [("draft", "sent"), ("sent", "acknowledged"), ("acknowledged", "accepted"),
                     ("accepted", "in_progress"), ("in_progress", "replied"), ("replied", "closed")]
    assert all(e.round == 1 and e.actor_label for e in events(r))
    assert events(r)[1].side == "procuratorate" and events(r)[0].side == "npc"
    summary = audit_summary(r, "referral.reply")
    assert summary["from"] == "in_progress" and summary["to"] == "replied" and summary["serial"] == r.serial
    assert summary["outcome"] == "resolved"
    assert verify().ok


# --- the thread -------------------------------------------------------------------------------------

def test_messages_internal_notes_and_who_may_post(cast):
    r = new_referral(cast, NPC)
    note = services.post_message(r, actor=cast.staff, body="先核实代表身份", internal=True)
    commit()
    assert (note.internal, note.side) == (True, "npc")
    with pytest.raises(ValidationFailed, match="只能添加内部备注"):
        services.post_message(r, actor=cast.staff, body="请签收")
    with pytest.raises(NotAllowed):  # a draft stays with the side that writes it
        services.post_message(r, actor=cast.contact, body="？", internal=True)
    with pytest.raises(ValidationFailed, match="请填写留言内容"):
        services.post_message(r, actor=cast.staff, body=" ", internal=True)

    services.send(r, actor=cast.staff)
    commit()
    message = services.post_message(r, actor=cast.contact, body="请补充联系人电话")
    commit()
    assert message.side == "procuratorate" and not message.internal
    assert notes(cast.staff, "message") and notes(cast.deputy, "message") and not notes(cast.contact, "message")
    for outsider in (cast.d_contact, cast.d_staff, cast.admin, cast.auditor, cast.other_deputy):
        with pytest.raises(NotAllowed, match="不能在此事项下留言"):
            services.post_message(r, actor=outsider, body="路过")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralMessage)) == 2
    assert audits(r).count("referral.message") == 2
    assert verify().ok
