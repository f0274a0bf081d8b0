"""The two referral state tables, as pure data: every (state, action) pair of both directions."""
from __future__ import annotations

import pytest

from oversight.referrals import workflow
from oversight.referrals.workflow import (NPC_TO_P, P_TO_NPC, TABLES, Action, Direction, Party, State,
                                          available_actions, states_of, transition)

NPC, P = Direction.NPC_TO_PROCURATORATE, Direction.PROCURATORATE_TO_NPC
KNOWN_ROLES = {workflow.NPC_STAFF, workflow.DEPUTY, workflow.P_CONTACT, workflow.P_HANDLER}

EVERY_PAIR = [pytest.param(d, s, a, id=f"{d.name}-{s}-{a}") for d in Direction for s in State for a in Action]
TABLE_ENTRIES = [pytest.param(d, s, a, id=f"{d.name}-{s}-{a}") for d, table in TABLES.items() for s, a in table]


def test_both_directions_have_a_table():
    assert set(TABLES) == set(Direction)
    assert TABLES[NPC] is NPC_TO_P and TABLES[P] is P_TO_NPC


@pytest.mark.parametrize(("direction", "state", "action"), EVERY_PAIR)
def test_transition_is_the_table_entry_or_invalid(direction, state, action):
    table = TABLES[direction]
    if (state, action) in table:
        assert transition(direction, state, action) is table[(state, action)]
    else:
        with pytest.raises(workflow.InvalidTransition) as raised:
            transition(direction, state, action)
        assert (raised.value.direction, raised.value.state, raised.value.action) == (direction, state, action)


@pytest.mark.parametrize(("direction", "state", "action"), TABLE_ENTRIES)
def test_every_entry_is_well_formed(direction, state, action):
    rule = TABLES[direction][(state, action)]
    assert isinstance(state, State) and isinstance(action, Action)
    assert rule.target is None or isinstance(rule.target, State)
    assert isinstance(rule.party, Party)
    if rule.party is Party.SYSTEM:
        assert not rule.roles  # nobody acts in the system's place
    else:
        assert rule.roles and rule.roles <= KNOWN_ROLES


@pytest.mark.parametrize("direction", list(Direction))
def test_every_state_is_reachable_from_draft(direction):
    table = TABLES[direction]
    reached, frontier = {State.DRAFT}, [State.DRAFT]
    while frontier:
        state = frontier.pop()
        for (source, _), rule in table.items():
            nxt = rule.target or source
            if source is state and nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(states_of(direction))
    assert State.ARCHIVED in reached and State.CLOSED in reached and State.WITHDRAWN in reached


@pytest.mark.parametrize("direction", list(Direction))
def test_nothing_leads_out_of_archived(direction):
    assert available_actions(direction, State.ARCHIVED) == []
    assert not [key for key in TABLES[direction] if key[0] is State.ARCHIVED]
    for action in Action:
        with pytest.raises(workflow.InvalidTransition):
            transition(direction, State.ARCHIVED, action)


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("state", list(State))
def test_available_actions_match_the_table(direction, state):
    expected = [a for a in Action if (state, a) in TABLES[direction]]
    assert available_actions(direction, state) == expected
    assert all(isinstance(a, Action) for a in expected)


def test_states_of_lists_sources_and_targets_in_enum_order():
    assert states_of(NPC) == [State.DRAFT, State.SENT, State.ACKNOWLEDGED, State.ACCEPTED, State.IN_PROGRESS,
                              State.REPLIED, State.RETURNED, State.WITHDRAWN, State.CLOSED, State.ARCHIVED]
    assert states_of(P) == [State.DRAFT, State.WITHDRAWN, State.SUBMITTED, State.RECEIVED, State.SCHEDULED,
                            State.CLOSED, State.ARCHIVED]


def test_each_direction_keeps_to_its_own_states_and_actions():
    npc_only = {State.SENT, State.ACKNOWLEDGED, State.ACCEPTED, State.IN_PROGRESS, State.REPLIED, State.RETURNED}
    p_only = {State.SUBMITTED, State.RECEIVED, State.SCHEDULED}
    assert not npc_only & set(states_of(P)) and not p_only & set(states_of(NPC))
    assert {a for _, a in P_TO_NPC} == {Action.SUBMIT, Action.WITHDRAW, Action.RECEIVE, Action.SCHEDULE,
                                        Action.RECORD, Action.ISSUE_OPINIONS, Action.VOTE, Action.ARCHIVE,
                                        Action.URGE}
    assert not {Action.SUBMIT, Action.RECEIVE, Action.SCHEDULE, Action.ISSUE_OPINIONS, Action.VOTE} & {
        a for _, a in NPC_TO_P}


def test_the_domain_rules_the_tables_encode():
    # The sender may withdraw only before the receiver has acknowledged (or received) the item.
    assert [s for s, a in NPC_TO_P if a is Action.WITHDRAW] == [State.DRAFT, State.SENT]
    assert [s for s, a in P_TO_NPC if a is Action.WITHDRAW] == [State.DRAFT, State.SUBMITTED]
    # Returning for wrong jurisdiction is possible only before acceptance.
    assert {s for s, a in NPC_TO_P if a is Action.RETURN} == {State.SENT, State.ACKNOWLEDGED}
    # Urging is the sender's, in every open state between sending and the reply.
    assert {s for s, a in NPC_TO_P if a is Action.URGE} == set(workflow.OPEN_A)
    assert all(NPC_TO_P[(s, Action.URGE)].party is Party.SENDER for s in workflow.OPEN_A)
    # Transitions that keep the state: urging, extensions, conversion and consultation.
    unchanged = {a for (s, a), rule in NPC_TO_P.items() if rule.target is None}
    assert unchanged == {Action.URGE, Action.REQUEST_EXTENSION, Action.DECIDE_EXTENSION, Action.CONVERT,
                         Action.CONSULT}
    # Only the system closes an item whose evaluation window has passed.
    assert NPC_TO_P[(State.REPLIED, Action.CLOSE_WITHOUT_FEEDBACK)].party is Party.SYSTEM
    assert NPC_TO_P[(State.REPLIED, Action.EVALUATE)].roles == {workflow.NPC_STAFF, workflow.DEPUTY}
    # The NPC side never takes a receiver's step on the NPC → P table, and vice versa.
    for (s, a), rule in NPC_TO_P.items():
        if rule.party is Party.RECEIVER:
            assert rule.roles <= {workflow.P_CONTACT, workflow.P_HANDLER}
        elif rule.party is Party.SENDER:
            assert rule.roles <= {workflow.NPC_STAFF, workflow.DEPUTY}
    for (s, a), rule in P_TO_NPC.items():
        assert rule.roles <= ({workflow.P_CONTACT} if rule.party is Party.SENDER else {workflow.NPC_STAFF})


def test_invalid_transition_message_names_the_pair():
    with pytest.raises(workflow.InvalidTransition, match="reply is not possible in state draft"):
        transition(NPC, State.DRAFT, Action.REPLY)


def test_open_and_terminal_states():
    assert workflow.TERMINAL_STATES == {State.ARCHIVED}
    assert not workflow.OPEN_STATES & {State.CLOSED, State.ARCHIVED, State.WITHDRAWN, State.RETURNED}
