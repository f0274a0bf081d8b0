"""The topic and rectification-item state tables, as pure data: every (state, action) pair."""
from __future__ import annotations

import pytest

from issues import workflow
from issues.workflow import (ITEM_TRANSITIONS, TOPIC_TRANSITIONS, ItemAction, ItemState, Party, TopicAction,
                             TopicState, item_actions, item_transition, next_item_state, next_topic_state,
                             topic_actions, topic_transition)

KNOWN_ROLES = {workflow.NPC_STAFF, workflow.NPC_REVIEWER, workflow.P_CONTACT}
TOPIC_PAIRS = [pytest.param(s, a, id=f"{s}-{a}") for s in TopicState for a in TopicAction]
ITEM_PAIRS = [pytest.param(s, a, id=f"{s}-{a}") for s in ItemState for a in ItemAction]


@pytest.mark.parametrize(("state", "action"), TOPIC_PAIRS)
def test_topic_transition_is_the_table_entry_or_invalid(state, action):
    if (state, action) in TOPIC_TRANSITIONS:
        rule = topic_transition(state, action)
        assert rule is TOPIC_TRANSITIONS[(state, action)]
        assert next_topic_state(state, action) == (rule.target or state)
        assert action in topic_actions(state)
    else:
        with pytest.raises(workflow.InvalidTransition):
            topic_transition(state, action)
        with pytest.raises(workflow.InvalidTransition):
            next_topic_state(state, action)
        assert action not in topic_actions(state)


@pytest.mark.parametrize(("state", "action"), ITEM_PAIRS)
def test_item_transition_is_the_table_entry_or_invalid(state, action):
    if (state, action) in ITEM_TRANSITIONS:
        rule = item_transition(state, action)
        assert next_item_state(state, action) == (rule.target or state)
        assert action in item_actions(state)
    else:
        with pytest.raises(workflow.InvalidTransition) as raised:
            item_transition(state, action)
        assert (raised.value.state, raised.value.action) == (state, action)
        assert action not in item_actions(state)


@pytest.mark.parametrize("table", [TOPIC_TRANSITIONS, ITEM_TRANSITIONS], ids=["topic", "item"])
def test_every_entry_is_well_formed(table):
    for (state, action), rule in table.items():
        assert isinstance(rule.party, Party)
        if rule.party is Party.SYSTEM:
            assert not rule.roles
        else:
            assert rule.roles and rule.roles <= KNOWN_ROLES


def _reachable(table, start):
    reached, frontier = {start}, [start]
    while frontier:
        state = frontier.pop()
        for (source, _), rule in table.items():
            nxt = rule.target or source
            if source is state and nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    return reached


def test_every_state_is_reachable():
    assert _reachable(TOPIC_TRANSITIONS, TopicState.OPEN) == set(TopicState)
    assert _reachable(ITEM_TRANSITIONS, ItemState.PENDING) == set(ItemState)


# The power boundary, written out from DOMAIN.md §5 (not derived from the table under test).
UNIT_STEPS = {ItemAction.START, ItemAction.REPORT_PROGRESS, ItemAction.REQUEST_SIGNOFF, ItemAction.REQUEST_EXTENSION}
NPC_STEPS = {ItemAction.SIGN_OFF, ItemAction.RETURN, ItemAction.URGE, ItemAction.ACCEPT_PROGRESS,
             ItemAction.DECIDE_EXTENSION, ItemAction.REOPEN}


def test_only_the_unit_reports_and_only_the_npc_side_signs_off():
    for (state, action), rule in ITEM_TRANSITIONS.items():
        if action in UNIT_STEPS:
            assert rule.party is Party.UNIT and workflow.NPC_STAFF not in rule.roles
        else:
            assert action in NPC_STEPS
            assert rule.party is Party.NPC and workflow.P_CONTACT not in rule.roles


def test_the_main_paths():
    s = ItemState.PENDING
    for action in (ItemAction.REPORT_PROGRESS, ItemAction.REPORT_PROGRESS, ItemAction.REQUEST_SIGNOFF,
                   ItemAction.RETURN, ItemAction.REQUEST_SIGNOFF, ItemAction.SIGN_OFF):
        s = next_item_state(s, action)
    assert s is ItemState.SIGNED_OFF
    assert next_item_state(s, ItemAction.REOPEN) is ItemState.IN_PROGRESS
    t = TopicState.OPEN
    for action in (TopicAction.SUBMIT, TopicAction.SEND_BACK, TopicAction.SUBMIT, TopicAction.ISSUE,
                   TopicAction.START, TopicAction.REVISE, TopicAction.SUBMIT, TopicAction.ISSUE):
        t = next_topic_state(t, action)
    assert t is TopicState.ISSUED  # the service moves a revised topic back to 整改中 when work had begun
    assert topic_actions(TopicState.CLOSED) == []
    assert item_actions(ItemState.SIGNED_OFF) == [ItemAction.REOPEN]
