"""The campaign state table (pure) and the token format."""
from __future__ import annotations

import pytest

from reports.evaluation import tokens
from reports.evaluation.workflow import (TRANSITIONS, Action, InvalidTransition, State, available_actions,
                                         next_state)


@pytest.mark.parametrize("state, action, after", [
    (State.DRAFT, Action.OPEN, State.OPEN),
    (State.DRAFT, Action.CANCEL, State.CANCELLED),
    (State.OPEN, Action.CLOSE, State.CLOSED),
    (State.OPEN, Action.CANCEL, State.CANCELLED),
    (State.CLOSED, Action.PUBLISH, State.PUBLISHED),
    (State.DRAFT, Action.EDIT, State.DRAFT),
    (State.OPEN, Action.INVITE, State.OPEN),
])
def test_allowed(state, action, after):
    assert next_state(state, action) is after


@pytest.mark.parametrize("state, action", [
    (State.DRAFT, Action.CLOSE), (State.DRAFT, Action.PUBLISH), (State.OPEN, Action.OPEN),
    (State.OPEN, Action.PUBLISH), (State.OPEN, Action.EDIT), (State.CLOSED, Action.OPEN),
    (State.CLOSED, Action.CANCEL), (State.CLOSED, Action.INVITE), (State.PUBLISHED, Action.CLOSE),
    (State.PUBLISHED, Action.CANCEL), (State.CANCELLED, Action.OPEN), (State.CANCELLED, Action.INVITE),
])
def test_refused(state, action):
    with pytest.raises(InvalidTransition):
        next_state(state, action)


def test_final_states_have_no_actions():
    assert available_actions(State.PUBLISHED) == []
    assert available_actions(State.CANCELLED) == []
    # results are published only from closed: no path skips closing
    assert [s for (s, a) in TRANSITIONS if a is Action.PUBLISH] == [State.CLOSED]


def test_token_format_and_forgiving_input():
    token = tokens.new_token()
    assert len(token) == 16 and set(token) <= set(tokens.ALPHABET)
    assert tokens.normalise(tokens.grouped(token).lower()) == token
    assert tokens.normalise(" " + "-".join(token[i:i + 4] for i in range(0, 16, 4)) + " ") == token
    assert tokens.normalise("OIL0" + token[4:]) == "0110" + token[4:]
    assert tokens.normalise(token[:-1]) is None
    assert tokens.normalise(token + "A") is None
    assert tokens.normalise("!" * 16) is None
    assert tokens.normalise("") is None
    assert len({tokens.new_token() for _ in range(200)}) == 200
    assert tokens.token_hash(token) != token and len(tokens.token_hash(token)) == 64
