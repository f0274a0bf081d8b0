"""The publication state table, pure: every state × action is either in the table (and leads where it says)
or refused; the table's roles are NPC roles only."""
from __future__ import annotations

import pytest

from reports.publications.workflow import (PUBLIC_STATES, TRANSITIONS, InvalidTransition, PubAction, PubState,
                                           available_actions, next_state, transition)

S, A = PubState, PubAction
ALLOWED = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.REDACT): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.IN_REVIEW,
    (S.IN_REVIEW, A.REDACT): S.IN_REVIEW,
    (S.IN_REVIEW, A.JUSTIFY): S.IN_REVIEW,
    (S.IN_REVIEW, A.SEND_BACK): S.DRAFT,
    (S.IN_REVIEW, A.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, A.WITHDRAW): S.WITHDRAWN,
}


@pytest.mark.parametrize("state", list(PubState))
@pytest.mark.parametrize("action", list(PubAction))
def test_every_pair(state, action):
    if (state, action) in ALLOWED:
        assert next_state(state, action) is ALLOWED[(state, action)]
        assert action in available_actions(state)
    else:
        with pytest.raises(InvalidTransition):
            next_state(state, action)
        assert action not in available_actions(state)


def test_table_is_exactly_the_allowed_set():
    assert set(TRANSITIONS) == set(ALLOWED)


def test_withdrawn_is_final_and_public():
    assert available_actions(S.WITHDRAWN) == []
    assert PUBLIC_STATES == {S.PUBLISHED, S.WITHDRAWN}


def test_roles():
    assert transition(S.DRAFT, A.SUBMIT).roles == {"npc_staff"}
    for action in (A.PUBLISH, A.WITHDRAW, A.SEND_BACK, A.JUSTIFY):
        assert transition(S.IN_REVIEW if action is not A.WITHDRAW else S.PUBLISHED, action).roles == {"npc_reviewer"}
    assert "no_unresolved_hits" in transition(S.IN_REVIEW, A.PUBLISH).guard
