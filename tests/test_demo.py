"""`flask demo load`: referrals of every kind through the real services, some overdue or due soon."""
from __future__ import annotations

import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.audit.services import verify
from oversight.db import db
from oversight.demo import data
from oversight.notifications.models import Notification
from oversight.referrals.deadlines import DueStatus, status
from oversight.referrals.models import Referral
from oversight.referrals.permissions import allowed_actions
from oversight.referrals.workflow import Direction, State
from oversight.workdays import today


def test_demo_referrals_give_the_contact_work_to_do(app, runner, monkeypatch):
    monkeypatch.setattr(data, "REFERRAL_COUNT", 120)  # the shape of the full 300, in less time
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "demo referrals: 12" in first.output  # 120 and those they spawned
    referrals = db.session.scalars(sa.select(Referral)).all()
    states = {d: {r.state for r in referrals if r.direction is d} for d in Direction}
    assert {State.DRAFT, State.SENT, State.ACKNOWLEDGED, State.ACCEPTED, State.IN_PROGRESS, State.REPLIED,
            State.CLOSED, State.RETURNED, State.WITHDRAWN, State.ARCHIVED} <= states[Direction.NPC_TO_PROCURATORATE]
    assert {State.DRAFT, State.SUBMITTED, State.RECEIVED, State.SCHEDULED, State.CLOSED} <= \
        states[Direction.PROCURATORATE_TO_NPC]
    assert len({r.type_id for r in referrals}) == 13  # every type

    contact = db.session.scalar(sa.select(User).where(User.username == "proc.contact"))
    work = [r for r in referrals if allowed_actions(contact, r)]
    badges = {status(r.current_due) for r in work}
    assert DueStatus.DUE_SOON in badges and badges & {DueStatus.OVERDUE, DueStatus.SEVERELY_OVERDUE}
    # Moved into the past consistently: the timeline ends where the referral stands.
    for r in referrals:
        times = [r.created_at] + [e.at for e in r.events]
        assert times == sorted(times) and r.created_at.date() <= today()
        if r.events and r.state is not State.REPLIED:  # a reminder may extend an evaluation date
            assert r.events[-1].due_after == r.current_due or r.current_due is None
    # The sweep ran as the 06:30 job would have: reminders are in the inboxes.
    kinds = set(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == contact.id)))
    assert {"received", "due_soon", "overdue"} <= kinds

    # The steps took time: the dashboard's 各环节用时 must not be 0.0 for every step (the history once
    # moved a referral's steps back together, all on one day).
    from reports.statistics import Period, PeriodKind, Scope
    from reports.statistics.referrals import figures

    spans = {}
    for period in (Period.containing(PeriodKind.YEAR, today()),
                   Period.containing(PeriodKind.YEAR, today()).previous()):
        for key, duration in figures(period, Scope.everything()).steps.items():
            spans.setdefault(key, []).extend(duration.days)
    assert all(spans[key] for key in ("ack", "accept", "handle", "total")), spans
    for key in ("ack", "handle", "total"):
        assert sum(spans[key]) / len(spans[key]) >= 1, (key, spans[key])
    assert all(t >= h for t, h in zip(sorted(spans["total"]), sorted(spans["handle"])))
    for r in referrals:
        steps = [r.sent_at, r.acknowledged_at, r.accepted_at, r.replied_at]
        done = [s for s in steps if s is not None]
        assert done == sorted(done), (r.id, steps)

    again = runner.invoke(args=["demo", "load"])
    assert "demo referrals: already present, none added" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == len(referrals)
    assert verify().ok


def test_demo_topics_at_every_stage(app, runner, monkeypatch):
    from issues.models import RectificationItem, Topic
    from issues.workflow import ItemState, TopicState

    monkeypatch.setattr(data, "REFERRAL_COUNT", 12)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "topics: 4" in result.output
    states = {t.state for t in db.session.scalars(sa.select(Topic))}
    assert {TopicState.OPEN, TopicState.IN_REVIEW, TopicState.RECTIFYING, TopicState.EVALUATED} <= states
    item_states = {i.state for i in db.session.scalars(sa.select(RectificationItem))}
    assert {ItemState.IN_PROGRESS, ItemState.SIGNED_OFF} <= item_states
    assert "topics: 0" in runner.invoke(args=["demo", "load"]).output
    assert verify().ok
