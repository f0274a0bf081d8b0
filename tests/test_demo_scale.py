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
