"""Random walks through the rectification-item workflow, by the right and by the wrong people. After
every step: the state is in the table; a successful step left exactly one timeline event and one
audit entry and a refused one left none and changed nothing; 0 ≤ accepted ≤ reported ≤ 100; a
signed-off item is 100 % accepted; the roll-up never exceeds 100; the audit chain verifies."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings, strategies as st

from issues import queries
from issues.models import ItemEvent
from issues.services import items
from issues.workflow import ITEM_TRANSITIONS, ItemAction, ItemState, item_actions
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.errors import DomainError, InvalidTransition, NotAllowed, ValidationFailed
from tests.test_issue_services import ITEM_ALLOWED, crew, issued_topic, the_item  # noqa: F401  (crew: a fixture)

IA = ItemAction
GUARDED = {IA.REQUEST_SIGNOFF, IA.REQUEST_EXTENSION, IA.DECIDE_EXTENSION}
STEPS = {
    IA.START: lambda i, u, d: items.start(i, actor=u),
    IA.REPORT_PROGRESS: lambda i, u, d: items.report_progress(i, actor=u, percent=d["percent"], text_="进展",
                                                              lower_reason="复查发现问题"),
    IA.REQUEST_SIGNOFF: lambda i, u, d: items.request_signoff(i, actor=u),
    IA.SIGN_OFF: lambda i, u, d: items.sign_off(i, actor=u),
    IA.RETURN: lambda i, u, d: items.return_item(i, actor=u, reason="材料不全"),
    IA.ACCEPT_PROGRESS: lambda i, u, d: items.accept_progress(i, actor=u, percent=i.reported_percent // 2),
    IA.URGE: lambda i, u, d: items.urge(i, actor=u),
    IA.REQUEST_EXTENSION: lambda i, u, d: items.request_extension(i, actor=u, until=i.due_date + dt.timedelta(days=30),
                                                                  reason="案件多"),
    IA.DECIDE_EXTENSION: lambda i, u, d: items.decide_extension(i, actor=u, approve=d["approve"]),
    IA.REOPEN: lambda i, u, d: items.reopen(i, actor=u, reason="回潮"),
}


def counts(item):
    n_events = db.session.scalar(sa.select(sa.func.count()).select_from(ItemEvent).where(ItemEvent.item_id == item.id))
    n_audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "rectification_items", AuditEntry.object_id == str(item.id)))
    return n_events, n_audits


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_walks_of_a_rectification_item(crew, data):
    db.session.rollback()
    topic = issued_topic(crew)
    item = the_item(topic)
    names = sorted(crew.people)
    for _ in range(data.draw(st.integers(min_value=3, max_value=25), label="steps")):
        state, version = item.state, item.version
        offered = item_actions(state)
        if offered and data.draw(st.integers(0, 3), label="valid action"):
            action = data.draw(st.sampled_from(offered), label="action")
        else:
            action = data.draw(st.sampled_from(list(ItemAction)), label="action")
        right = sorted(ITEM_ALLOWED[action]) if (state, action) in ITEM_TRANSITIONS else []
        if right and data.draw(st.booleans(), label="someone entitled"):
            name = data.draw(st.sampled_from(right), label="actor")
        else:
            name = data.draw(st.sampled_from([n for n in names if n not in right]), label="actor")
        args = {"percent": data.draw(st.sampled_from([0, 25, 50, 75, 100]), label="percent"),
                "approve": data.draw(st.booleans(), label="approve")}
        before = counts(item)
        try:
            STEPS[action](item, crew.people[name], args)
            commit()
            outcome = None
        except DomainError as exc:
            db.session.rollback()
            outcome = exc

        if (state, action) not in ITEM_TRANSITIONS:
            assert isinstance(outcome, InvalidTransition), (state, action, name, outcome)
        elif name not in right:
            assert isinstance(outcome, NotAllowed), (state, action, name, outcome)
        elif outcome is not None:
            assert isinstance(outcome, ValidationFailed) and action in GUARDED, (state, action, name, outcome)

        after = counts(item)
        if outcome is None:
            assert after == (before[0] + 1, before[1] + 1)
            assert item.state is (ITEM_TRANSITIONS[(state, action)].target or state)
        else:
            assert (item.state, item.version) == (state, version) and after == before
        assert 0 <= item.accepted_percent <= item.reported_percent <= 100
        assert item.state is not ItemState.SIGNED_OFF or item.accepted_percent == 100
        roll = queries.progress(topic).topic
        assert 0 <= roll.accepted <= roll.reported <= 100 and 0 <= roll.completion <= 100
        assert verify().ok
        event(f"{action.value}: {type(outcome).__name__ if outcome else 'done'}")
