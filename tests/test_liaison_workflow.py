"""The liaison state tables, pure: every (state, action) pair either moves as the table says or raises."""
from __future__ import annotations

import pytest

from liaison.meetings import workflow as mw
from liaison.minutes import workflow as nw


@pytest.mark.parametrize("state", list(mw.State))
@pytest.mark.parametrize("action", list(mw.Action))
def test_meeting_table(state, action):
    if (state, action) in mw.TRANSITIONS:
        assert mw.next_state(state, action) is mw.TRANSITIONS[(state, action)]
        assert action in mw.available_actions(state)
    else:
        with pytest.raises(mw.InvalidTransition):
            mw.next_state(state, action)
        assert action not in mw.available_actions(state)


def test_only_a_scheduled_meeting_changes():
    assert mw.available_actions(mw.State.CANCELLED) == [] and mw.available_actions(mw.State.HELD) == []


@pytest.mark.parametrize("state", list(nw.MinutesState))
@pytest.mark.parametrize("action", list(nw.MinutesAction))
def test_minutes_table(state, action):
    if (state, action) in nw.MINUTES_TRANSITIONS:
        assert nw.next_state(state, action) is nw.MINUTES_TRANSITIONS[(state, action)]
    else:
        with pytest.raises(nw.InvalidTransition):
            nw.next_state(state, action)


def test_approved_minutes_only_take_corrections():
    assert nw.available_actions(nw.MinutesState.APPROVED) == [nw.MinutesAction.CORRECT]


@pytest.mark.parametrize("state", list(nw.ItemState))
@pytest.mark.parametrize("action", list(nw.ItemAction))
def test_action_item_table(state, action):
    if (state, action) in nw.ITEM_TRANSITIONS:
        assert nw.next_state(state, action) is nw.ITEM_TRANSITIONS[(state, action)]
    else:
        with pytest.raises(nw.InvalidTransition):
            nw.next_state(state, action)
    assert (state is nw.ItemState.OPEN) == bool(nw.available_actions(state))
