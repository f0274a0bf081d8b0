"""`flask demo scale`: bulk rows the app could have produced — workflow paths from the tables, due
dates from the type's rules, an intact audit chain — deterministic, idempotent and resumable."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.audit.services import verify
from oversight.db import db
from oversight.demo.scale import generate
from oversight.demo.scale.profiles import PROFILES, Profile
from oversight.referrals.deadlines import DueKind, current_due_of, explain
from oversight.referrals.models import Referral, ReferralEvent
from oversight.referrals.workflow import TABLES, Action, State

from oversight.demo.data import DEMO_PASSWORD

from .conftest import empty_database

TINY = Profile("small", extra_districts=1, deputies=40, referrals=240, years=2, chunk=80)


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(PROFILES, "small", TINY)


def _snapshot():
    referrals = db.session.execute(sa.select(Referral.id, Referral.serial, Referral.state, Referral.current_due,
                                             Referral.receiver_org_id, Referral.round).order_by(Referral.id)).all()
    events = db.session.execute(sa.select(ReferralEvent.id, ReferralEvent.referral_id, ReferralEvent.action,
                                          ReferralEvent.at, ReferralEvent.due_after).order_by(ReferralEvent.id)).all()
    return referrals, events


def test_scale_rows_follow_the_workflow_the_deadline_rules_and_the_chain(app, runner, tiny):
    result = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert result.exit_code == 0, result.output
    assert "240/240 (100%)" in result.output
    assert verify().ok
    referrals = db.session.scalars(sa.select(Referral).where(Referral.client_token.startswith("scale-"))).all()
    assert len(referrals) == 240
    assert {State.DRAFT, State.SENT, State.IN_PROGRESS, State.REPLIED, State.CLOSED, State.ARCHIVED,
            State.RECEIVED} <= {r.state for r in referrals}
    for r in referrals:
        state = State.DRAFT
        for event in r.events:   # each step is in the table and starts where the last one ended
            assert event.from_state == state.value
            rule = TABLES[r.direction][(state, Action(event.action))]
            assert rule.target is None or event.to_state == rule.target.value or event.action == "evaluate"
            state = State(event.to_state)
        assert state is r.state and r.current_due == current_due_of(r)
        for kind in DueKind:     # every stored due date is what the rules give from its timeline
            assert not explain(r, kind, r.events).differs, (r.serial, kind)
        times = [r.created_at] + [e.at for e in r.events]
        assert times == sorted(times)
    assert len({r.serial for r in referrals if r.serial}) == len([r for r in referrals if r.serial])

    again = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert "nothing to do" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == len(referrals)


def test_scale_data_is_served(app, runner, client, login, tiny):
    assert runner.invoke(args=["demo", "scale", "--profile", "small"]).exit_code == 0
    contact = db.session.scalar(sa.select(User).where(User.username == "proc.contact"))
    login(contact, DEMO_PASSWORD)
    inbox = client.get("/referrals/")
    assert inbox.status_code == 200
    one = db.session.scalar(sa.select(Referral).where(Referral.client_token.startswith("scale-"),
                                                      Referral.receiver_org_id == contact.organisation.parent_id)
                            .order_by(Referral.id.desc()).limit(1))
    assert client.get(f"/referrals/{one.id}").status_code == 200
    assert client.get("/referrals/search?state=closed").status_code == 200


def test_an_interrupted_run_resumes_to_the_same_data(app, runner, tiny):
    assert runner.invoke(args=["demo", "scale", "--profile", "small"]).exit_code == 0
    whole = _snapshot()
    empty_database()
    commits = []

    def crash_on_third_chunk(original=generate._referrals):
        def wrapped(ctx, started, staff, commit):
            def counting():
                commits.append(1)
                if len(commits) == 3:
                    raise RuntimeError("interrupted")
                commit()
            return original(ctx, started, staff, counting)
        return wrapped

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(generate, "_referrals", crash_on_third_chunk())
        runner.invoke(args=["demo", "scale", "--profile", "small"])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)
                             .where(Referral.client_token.startswith("scale-"))) == 160
    resumed = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert "resuming after 160 referrals" in resumed.output, resumed.output
    assert _snapshot() == whole
    assert verify().ok


# --- the topics stage (issues/scale.py) ------------------------------------------------------------

TINY_TOPICS = Profile("small", extra_districts=1, deputies=40, referrals=240, years=2, chunk=80,
                      rectification_items=300)


def _topic_rows():
    from issues.models import ItemEvent, RectificationItem, Topic

    return (db.session.execute(sa.select(Topic.id, Topic.serial, Topic.state, Topic.updated_at).order_by(Topic.id)).all(),
            db.session.execute(sa.select(RectificationItem.id, RectificationItem.state, RectificationItem.due_date,
                                         RectificationItem.reported_percent, RectificationItem.accepted_percent)
                               .order_by(RectificationItem.id)).all(),
            db.session.execute(sa.select(ItemEvent.id, ItemEvent.item_id, ItemEvent.action, ItemEvent.at)
                               .order_by(ItemEvent.id)).all())


def test_scale_topics_follow_the_item_workflow_and_run_on_a_finished_database(app, runner, monkeypatch):
    import json

    from issues import scale
    from issues.models import ListVersion, RectificationItem, Topic
    from issues.workflow import ITEM_TRANSITIONS, ItemAction as IA, ItemState as IS

    monkeypatch.setitem(PROFILES, "small", TINY)            # first without topics: the stage did not exist yet
    assert runner.invoke(args=["demo", "scale", "--profile", "small"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 0
    monkeypatch.setitem(PROFILES, "small", TINY_TOPICS)     # the same database, now with the topics stage
    monkeypatch.setattr(scale, "CHUNK", 3)
    result = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert result.exit_code == 0, result.output
    assert verify().ok
    items = db.session.scalars(sa.select(RectificationItem)).all()
    assert len(items) == 300
    assert {IS.IN_PROGRESS, IS.SIGNED_OFF} <= {i.state for i in items}
    for item in items:
        state = IS.PENDING
        for event in item.events:     # each step is in the item table and starts where the last ended
            assert event.from_state == state.value, (item.id, event.action)
            rule = ITEM_TRANSITIONS[(state, IA(event.action))]
            state = rule.target or state
            assert event.to_state == state.value
        assert state is item.state
        assert 0 <= item.accepted_percent <= item.reported_percent <= 100
        assert [e.at for e in item.events] == sorted(e.at for e in item.events)
        assert item.state is IS.PENDING or item.issued_in == 1
    # Each issued version freezes what was issued: version 1 carries the due dates before any extension.
    for version in db.session.scalars(sa.select(ListVersion).where(ListVersion.number == 1)):
        keyed = {i["key"]: i for p in json.loads(version.snapshot)["problems"]
                 for r in p["responsibilities"] for i in r["items"]}
        for item in db.session.scalars(sa.select(RectificationItem).where(RectificationItem.topic_id == version.topic_id)):
            assert item.id in keyed
            if not item.extensions_granted and version.topic.issued_version == 1:
                assert keyed[item.id]["due_date"] == item.due_date.isoformat()
    serials = [s for s in db.session.scalars(sa.select(Topic.serial)) if s]
    assert len(serials) == len(set(serials))
    again = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert "nothing to do" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem)) == 300


def test_scale_topics_resume_to_the_same_data(app, runner, monkeypatch):
    from issues import scale

    monkeypatch.setitem(PROFILES, "small", TINY_TOPICS)
    monkeypatch.setattr(scale, "CHUNK", 3)
    assert runner.invoke(args=["demo", "scale", "--profile", "small"]).exit_code == 0
    whole = _topic_rows()
    empty_database()
    calls = []
    original = scale._save_counters

    def crash_on_second_chunk(counters):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        original(counters)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scale, "_save_counters", crash_on_second_chunk)
        runner.invoke(args=["demo", "scale", "--profile", "small"])
    db.session.rollback()
    resumed = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert "topics: resuming after 3" in resumed.output, resumed.output
    assert _topic_rows() == whole
    assert verify().ok
