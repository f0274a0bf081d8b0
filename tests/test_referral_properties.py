"""Random walks through both workflows, by the right and by the wrong people. After every step: the
state is one of the direction's table, a successful step left exactly one timeline event and one
audit entry on the referral and a refused one left none, the audit chain verifies, no due date lies
before the day its step started, and the round is at least 1."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings, strategies as st

from oversight.accounts.models import Role
from oversight.audit.models import AuditHead
from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.models import OrgKind
from oversight.referrals import services
from oversight.referrals.models import Approver
from oversight.referrals.workflow import TABLES, Action, Direction, Evaluation, State, available_actions, states_of
from oversight.workdays import today
from tests.test_referral_services import (ALLOWED, DO, PATHS, audits, cast,  # noqa: F401  (cast: a fixture)
                                          events, new_referral)

A, S = Action, State
NPC, P = Direction.NPC_TO_PROCURATORATE, Direction.PROCURATORATE_TO_NPC
CODES = {NPC: ["deputy_suggestion", "litigation_petition", "inspection_finding", "deliberation_opinion"],
         P: ["special_work_report", "work_report", "topic_proposal"]}
# Every action a service can be asked for in that direction (`send()` takes the direction's own).
ACTIONS = {NPC: [a for a in Action if a is not A.SUBMIT], P: [a for a in Action if a is not A.SEND]}
DUE_FIELDS = ("ack_due", "procedural_due", "result_due", "cap_due", "evaluation_due", "current_due")
# Guards an allowed actor can still fail on, with valid arguments, depending on history.
# (CONVERT: only a deputy's suggestion; CONSULT: only where a deputy made it.)
GUARDED = {A.REQUEST_EXTENSION, A.DECIDE_EXTENSION, A.CONVERT, A.CONSULT}
# Steps that end a walk early; drawn less often, so that walks also reach the later states.
EXITS = {A.WITHDRAW, A.ARCHIVE, A.RETURN, A.CLOSE_WITHOUT_FEEDBACK, A.RECORD}


def weighted(actions) -> list[Action]:
    return [a for a in actions for _ in range(1 if a in EXITS else 4)]


@pytest.fixture
def walkers(cast, make_org, make_user):
    """The services tests' cast, plus a department and handler at the district procuratorate (a
    returned item may be resent there, and from then on its people act). Built once per test and
    shared by its examples; each example walks a referral of its own."""
    d_dept = make_org("D-P-D1", "区院第一检察部", kind=OrgKind.PROCURATORATE_DEPARTMENT, parent=cast.world.d_proc)
    cast.d_dept = d_dept
    cast.d_handler = cast.people["d_handler"] = make_user("dhandler", d_dept, roles={Role.PROCURATORATE_HANDLER})
    return cast


def receiver_side(c, r):
    """(contact name, department, handler name) of the procuratorate now receiving `r`."""
    if r.receiver_org_id == c.world.d_proc.id:
        return "d_contact", c.d_dept, "d_handler"
    return "contact", c.world.dept, "handler"


def other_procuratorate(c, r):
    return c.world.proc if r.receiver_org_id == c.world.d_proc.id else c.world.d_proc


# Steps whose arguments depend on where the referral is now.
STEPS = {
    **DO,
    A.RETURN: lambda c, r, u: services.return_referral(r, actor=u, reason="不属本院管辖",
                                                       suggested_receiver=other_procuratorate(c, r)),
    A.RESEND: lambda c, r, u: services.resend(r, actor=u, receiver=other_procuratorate(c, r)),
    A.ASSIGN: lambda c, r, u: services.assign(r, actor=u, department=receiver_side(c, r)[1],
                                              handler=c.people[receiver_side(c, r)[2]]),
    A.EVALUATE: lambda c, r, u: services.evaluate(r, actor=u, evaluation=c.evaluation, reasons="措施不具体"),
}


def allowed_names(c, r, action) -> set[str]:
    """Who may take `action` now, by DOMAIN.md §4 — the services' test table, adjusted for the type
    and for where the referral is."""
    names = set(ALLOWED[r.direction].get((r.state, action), set()))
    if r.direction is NPC:
        contact, _, handler = receiver_side(c, r)
        names = {{"contact": contact, "handler": handler}.get(n, n) for n in names}
        if action is A.DECIDE_EXTENSION and r.type.extension_approver is Approver.RECEIVER:
            names = {contact}
        if handler in names and r.handler_id != c.people[handler].id:
            names.discard(handler)
    if r.deputy_id != c.deputy.id:
        names.discard("deputy")
    return names


def head_seq() -> int:
    return db.session.scalar(sa.select(AuditHead.seq).where(AuditHead.id == 1))


def walk(c, direction: Direction, data) -> None:
    db.session.rollback()
    r = new_referral(c, direction, code=data.draw(st.sampled_from(CODES[direction]), label="type"))
    # Start from draft, or from further along (reached the usual way), so that walks cover every state.
    start = data.draw(st.sampled_from(sorted(PATHS[direction])), label="start")
    c.evaluation = Evaluation.SATISFIED
    for action in PATHS[direction][start]:
        STEPS[action](c, r, c.people[sorted(allowed_names(c, r, action))[0]])
        commit()
    assert r.state is start
    names = sorted(c.people)
    for _ in range(data.draw(st.integers(min_value=3, max_value=20), label="steps")):
        state, version = r.state, r.version
        open_ = available_actions(direction, state)
        if open_ and data.draw(st.integers(0, 3), label="valid action"):  # mostly one the table offers
            action = data.draw(st.sampled_from(weighted(open_)), label="action")
        else:
            action = data.draw(st.sampled_from(ACTIONS[direction]), label="action")
        right = sorted(allowed_names(c, r, action))
        wrong = [n for n in names if n not in right]
        if right and data.draw(st.booleans(), label="someone entitled"):
            name = data.draw(st.sampled_from(right), label="actor")
        else:  # someone who is not: the other side, the wrong role, another institution, not the one assigned
            name = data.draw(st.sampled_from(wrong), label="actor")
        c.evaluation = data.draw(st.sampled_from(list(Evaluation)[:3]), label="evaluation")
        system = action is A.CLOSE_WITHOUT_FEEDBACK
        n_events, n_audits, seq = len(events(r)), len(audits(r)), head_seq()
        rule = TABLES[direction].get((state, action))
        started = today()

        try:
            STEPS[action](c, r, c.people[name])
            commit()
            outcome = None
        except DomainError as exc:
            db.session.rollback()
            outcome = exc

        # What the tables say must have happened.
        if rule is None:
            assert isinstance(outcome, InvalidTransition), (state, action, name, outcome)
        elif not system and name not in right:
            assert isinstance(outcome, NotAllowed), (state, action, name, outcome)
        elif outcome is not None:
            assert isinstance(outcome, ValidationFailed) and action in GUARDED, (state, action, name, outcome)

        # The invariants.
        assert r.state in states_of(direction)
        assert r.round >= 1 and r.round <= r.type.max_rehandling_rounds + 1
        if outcome is None:
            new_events = events(r)[n_events:]
            assert [(e.action, e.from_state, e.to_state) for e in new_events] == [
                (action.value, state.value, r.state.value)]
            assert audits(r)[n_audits:] == [f"referral.{action.value}"]
            if action is A.EVALUATE:
                assert r.state in (S.CLOSED, S.IN_PROGRESS)
            else:
                assert r.state is (rule.target or state)
            for field in DUE_FIELDS:
                value = getattr(r, field)
                assert value is None or value >= started, (field, value, started)
            assert new_events[0].due_after is None or new_events[0].due_after >= started
            if r.cap_due and r.round == 1 and r.evaluation is None:
                assert r.result_due <= r.cap_due
        else:
            assert (r.state, r.version) == (state, version)
            assert (len(events(r)), len(audits(r)), head_seq()) == (n_events, n_audits, seq)
        assert verify().ok
        event(f"{action.value}: {type(outcome).__name__ if outcome else 'done'}")
        if isinstance(outcome, NotAllowed):
            event(f"refused {name}")
    event(f"ended in {r.state.value}, round {r.round}")


# Function-scoped fixtures are shared by a test's examples, deliberately: the world is built once per
# engine and every example walks a fresh referral in it. A failure takes minutes to shrink (each
# attempt replays a walk against the database); the assertion already names state, action and actor.
WALK = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@WALK
@given(data=st.data())
def test_random_walks_npc_to_procuratorate(walkers, data):
    walk(walkers, NPC, data)


@WALK
@given(data=st.data())
def test_random_walks_procuratorate_to_npc(walkers, data):
    walk(walkers, P, data)
