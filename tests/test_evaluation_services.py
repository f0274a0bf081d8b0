"""Evaluation services: the workflow with side/role/organisation checks and audit, one-time tokens
(reuse, forgery, revoked, closed), atomic submission, results arithmetic, the rate limit, and the clock."""
from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.db import db, utcnow
from oversight.errors import InvalidTransition, NotAllowed, ValidationFailed
from reports.evaluation import jobs, queries, services, tokens
from reports.evaluation.models import EvaluationInvitation, EvaluationResponse
from reports.evaluation.workflow import InvitationState, Rating, State
from reports.publications.workflow import PubState
from tests.evaluation_fixtures import new_campaign, publish, pubs  # noqa: F401


def _actions(prefix: str) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.startswith(prefix))
                                   .order_by(AuditEntry.seq)))


def _ready(world, pubs, count=3):
    campaign = new_campaign(world.staff, pubs)
    issued = services.generate_invitations(campaign, actor=world.staff, count=count, labels=["张三", "李四"])
    services.open_campaign(campaign, actor=world.staff)
    db.session.commit()
    return campaign, issued


def _all(campaign, rating=Rating.SATISFIED):
    return {item.id: rating.value for item in campaign.items}


# --- the workflow and who may run it -----------------------------------------------------------

def test_full_lifecycle_is_audited(world, pubs):
    campaign = new_campaign(world.staff, pubs)
    assert campaign.state is State.DRAFT and campaign.organiser_org_id == world.npc.id
    assert [i.publication_id for i in campaign.items] == [p.id for p in pubs]
    services.generate_invitations(campaign, actor=world.staff, count=2)
    services.open_campaign(campaign, actor=world.staff)
    services.close_campaign(campaign, actor=world.staff)
    services.publish_results(campaign, actor=world.staff)
    db.session.commit()
    assert campaign.state is State.PUBLISHED and campaign.results_published_at is not None
    assert _actions("evaluation.") == ["evaluation.campaign.create", "evaluation.invitations.generate",
                                       "evaluation.campaign.open", "evaluation.campaign.close",
                                       "evaluation.campaign.publish"]


def test_refused_transitions(world, pubs):
    campaign = new_campaign(world.staff, pubs)
    with pytest.raises(InvalidTransition):
        services.close_campaign(campaign, actor=world.staff)
    with pytest.raises(InvalidTransition):
        services.publish_results(campaign, actor=world.staff)
    services.open_campaign(campaign, actor=world.staff)
    with pytest.raises(InvalidTransition):
        services.publish_results(campaign, actor=world.staff)  # results only after closing
    with pytest.raises(InvalidTransition):
        services.update_campaign(campaign, actor=world.staff, title="改", opens_at=campaign.opens_at,
                                 closes_at=campaign.closes_at, publication_ids=[pubs[0].id])
    with pytest.raises(ValidationFailed):
        services.cancel_campaign(campaign, actor=world.staff, reason=" ")
    services.cancel_campaign(campaign, actor=world.staff, reason="时间冲突")
    with pytest.raises(InvalidTransition):
        services.open_campaign(campaign, actor=world.staff)


def test_only_the_organising_npc_staff_manage(world, pubs, make_user):
    campaign = new_campaign(world.staff, pubs)
    other_npc = make_user("d.staff", world.d_npc, roles={Role.NPC_STAFF})      # another NPC body (district)
    reviewer = make_user("reviewer", world.body, roles={Role.NPC_REVIEWER})     # same body, not staff
    colleague = make_user("colleague", world.npc, roles={Role.NPC_STAFF})      # same institution
    for outsider in (other_npc, reviewer, world.contact, world.admin):
        with pytest.raises(NotAllowed):
            services.open_campaign(campaign, actor=outsider)
        with pytest.raises(NotAllowed):
            services.generate_invitations(campaign, actor=outsider, count=1)
    services.open_campaign(campaign, actor=colleague)
    assert campaign.state is State.OPEN


def test_procuratorate_side_cannot_create(world, pubs, make_user):
    for actor in (world.contact, make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER}), world.admin):
        with pytest.raises(NotAllowed):
            new_campaign(actor, pubs)


def test_items_must_be_published_and_inside_the_institution(world, pubs, make_org):
    draft = publish(world.npc, "未发布", state=PubState.DRAFT)
    withdrawn = publish(world.npc, "已撤回", state=PubState.WITHDRAWN)
    foreign = publish(world.proc, "检察院发布的")
    for bad in (draft, withdrawn, foreign):
        with pytest.raises(ValidationFailed) as exc:
            new_campaign(world.staff, [pubs[0], bad])
        assert "items" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        new_campaign(world.staff, [])
    assert "items" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        new_campaign(world.staff, pubs, opens=utcnow(), closes=utcnow() - dt.timedelta(hours=1))
    assert "closes_at" in exc.value.errors


# --- tokens ------------------------------------------------------------------------------------

def test_tokens_are_stored_hashed_and_labels_kept(world, pubs):
    campaign, issued = _ready(world, pubs)
    rows = db.session.scalars(sa.select(EvaluationInvitation).order_by(EvaluationInvitation.number)).all()
    assert [r.number for r in rows] == [1, 2, 3]
    assert [r.label for r in rows] == ["张三", "李四", ""]
    for one, row in zip(issued, rows):
        assert row.token_hash == tokens.token_hash(one.token) and one.token not in row.token_hash
    assert all(one.token not in str(e.summary) for e in db.session.scalars(sa.select(AuditEntry)) for one in issued)


def test_reuse_forgery_revoked_closed(world, pubs):
    campaign, issued = _ready(world, pubs)
    first, second, third = issued
    invitation = services.usable(services.find_invitation(first.code))
    services.submit(invitation, ratings=_all(campaign))
    db.session.commit()
    with pytest.raises(services.TokenUsed) as used:
        services.usable(services.find_invitation(first.token))
    assert "只能使用一次" in used.value.message
    forged = first.token[:-1] + ("0" if first.token[-1] != "0" else "1")
    assert services.find_invitation(forged) is None
    with pytest.raises(services.TokenRefused) as unknown:
        services.usable(services.find_invitation(forged))
    with pytest.raises(services.TokenRefused) as garbage:
        services.usable(services.find_invitation("not a token"))
    assert unknown.value.message == garbage.value.message
    services.revoke_invitation(db.session.get(EvaluationInvitation, second.invitation.id), actor=world.staff)
    db.session.commit()
    with pytest.raises(services.TokenRefused) as revoked:
        services.usable(services.find_invitation(second.token))
    assert revoked.value.message == unknown.value.message  # a revoked token reads like a forged one
    with pytest.raises(InvalidTransition):
        services.revoke_invitation(db.session.get(EvaluationInvitation, first.invitation.id), actor=world.staff)
    services.close_campaign(campaign, actor=world.staff)
    db.session.commit()
    with pytest.raises(services.CampaignNotOpen) as closed:
        services.usable(services.find_invitation(third.token))
    assert "已经结束" in closed.value.message


def test_past_closing_time_is_closed_even_before_the_clock_runs(world, pubs):
    campaign, issued = _ready(world, pubs)
    with pytest.raises(services.CampaignNotOpen):
        services.usable(issued[0].invitation, now=campaign.closes_at + dt.timedelta(seconds=1))


def test_a_draft_campaign_says_not_yet_open(world, pubs):
    campaign = new_campaign(world.staff, pubs)
    issued = services.generate_invitations(campaign, actor=world.staff, count=1)
    with pytest.raises(services.CampaignNotOpen) as exc:
        services.usable(services.find_invitation(issued[0].token))
    assert "尚未开始" in exc.value.message


# --- submission ---------------------------------------------------------------------------------

def test_submission_is_all_or_nothing(world, pubs):
    campaign, issued = _ready(world, pubs)
    invitation = issued[0].invitation
    partial = _all(campaign)
    partial.pop(campaign.items[-1].id)
    with pytest.raises(ValidationFailed) as missing:
        services.submit(invitation, ratings=partial)
    assert f"item-{campaign.items[-1].id}" in missing.value.errors
    db.session.rollback()
    bad = _all(campaign)
    bad[campaign.items[0].id] = "great"
    too_long = {campaign.items[1].id: "长" * (services.MAX_COMMENT + 1)}
    with pytest.raises(ValidationFailed) as exc:
        services.submit(db.session.get(EvaluationInvitation, invitation.id), ratings=bad, comments=too_long)
    assert {f"item-{campaign.items[0].id}", f"comment-{campaign.items[1].id}"} <= set(exc.value.errors)
    db.session.rollback()
    stranger = {**_all(campaign), 999999: "satisfied"}
    with pytest.raises(ValidationFailed):
        services.submit(db.session.get(EvaluationInvitation, invitation.id), ratings=stranger)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 0
    fresh = db.session.get(EvaluationInvitation, invitation.id)
    assert fresh.state is InvitationState.UNUSED and fresh.used_at is None
    services.submit(fresh, ratings=_all(campaign), comments={campaign.items[0].id: "很好"})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == len(campaign.items)
    assert db.session.get(EvaluationInvitation, invitation.id).state is InvitationState.USED


def test_a_second_claim_of_the_same_invitation_writes_nothing(world, pubs):
    """Two submissions racing with one token: the conditional claim lets only one through."""
    campaign, issued = _ready(world, pubs)
    invitation_id = issued[0].invitation.id
    stale = db.session.get(EvaluationInvitation, invitation_id)
    assert stale.state is InvitationState.UNUSED and stale.campaign.items
    db.session.expunge(stale)  # what a request that read it a moment ago still holds
    db.session.rollback()
    with db.engine.begin() as other:  # meanwhile another request submits with the same token
        other.execute(sa.update(EvaluationInvitation).where(EvaluationInvitation.id == invitation_id)
                      .values(state=InvitationState.USED, used_at=utcnow()))
    db.session.add(stale)
    assert stale.state is InvitationState.UNUSED  # the stale copy passes the first check …
    with pytest.raises(services.TokenUsed):      # … and the claim refuses it
        services.submit(stale, ratings=_all(campaign, Rating.DISSATISFIED))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 0


# --- results ------------------------------------------------------------------------------------

def test_results_arithmetic_against_an_independent_count(world, pubs):
    campaign, issued = _ready(world, pubs, count=23)
    services.revoke_invitation(issued[-1].invitation, actor=world.staff)
    rng = random.Random(8)
    expected = {item.id: {r: 0 for r in Rating} for item in campaign.items}
    submitted = 0
    for one in issued[:17]:
        ratings = {item.id: rng.choice(list(Rating)) for item in campaign.items}
        for item_id, rating in ratings.items():
            expected[item_id][rating] += 1
        services.submit(one.invitation, ratings={k: v.value for k, v in ratings.items()})
        submitted += 1
    db.session.commit()
    result = queries.results(campaign)
    assert (result.issued, result.submitted, result.revoked) == (22, 17, 1)
    assert result.participation_rate * 22 == 17
    for row in result.items:
        counts = expected[row.item.id]
        s, b, d = counts[Rating.SATISFIED], counts[Rating.BASICALLY_SATISFIED], counts[Rating.DISSATISFIED]
        assert (row.satisfied, row.basically, row.dissatisfied, row.evaluated) == (s, b, d, submitted)
        assert abs(float(row.satisfaction_rate) - (s + b) / submitted) < 1e-12
        assert abs(float(row.satisfied_rate) - s / submitted) < 1e-12
    assert queries.percent(result.items[0].satisfaction_rate).endswith("%")


def test_results_of_a_campaign_nobody_answered(world, pubs):
    campaign, _issued = _ready(world, pubs)
    result = queries.results(campaign)
    assert all(r.evaluated == 0 and r.satisfaction_rate is None for r in result.items)
    assert result.participation_rate == 0 and queries.percent(None) == "—"


# --- the rate limit and the clock ----------------------------------------------------------------

def test_rate_limit_counts_failures_per_address(app):
    for _ in range(services.MAX_FAILURES - 1):
        services.record_failure("203.0.113.9")
    assert not services.too_many_failures("203.0.113.9")
    services.record_failure("203.0.113.9")
    assert services.too_many_failures("203.0.113.9")
    assert not services.too_many_failures("198.51.100.1")
    later = utcnow() + services.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert not services.too_many_failures("203.0.113.9", now=later)


def test_clock_opens_and_closes_once(world, pubs):
    now = utcnow()
    waiting = new_campaign(world.staff, pubs, opens=now + dt.timedelta(hours=1), closes=now + dt.timedelta(days=1),
                           title="待开始")
    no_invitations = new_campaign(world.staff, pubs, opens=now + dt.timedelta(hours=1),
                                  closes=now + dt.timedelta(days=1), title="无邀请")
    services.generate_invitations(waiting, actor=world.staff, count=1)
    services.record_failure("192.0.2.1")
    db.session.commit()
    assert jobs.campaign_clock(now)["opened"] == 0
    at_opening = now + dt.timedelta(hours=1, seconds=1)
    assert jobs.campaign_clock(at_opening)["opened"] == 1
    assert jobs.campaign_clock(at_opening) == {"opened": 0, "closed": 0, "failures_purged": 0}
    assert waiting.state is State.OPEN and no_invitations.state is State.DRAFT
    at_closing = now + dt.timedelta(days=1, seconds=1)
    counts = jobs.campaign_clock(at_closing)
    assert counts["closed"] == 1 and counts["failures_purged"] == 1
    assert jobs.campaign_clock(at_closing)["closed"] == 0
    db.session.commit()
    assert waiting.state is State.CLOSED and waiting.closed_at == at_closing
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.in_(
        ["evaluation.campaign.open", "evaluation.campaign.close"])).order_by(AuditEntry.seq)).all()
    assert [(e.action, e.actor_id) for e in entries] == [("evaluation.campaign.open", None),
                                                         ("evaluation.campaign.close", None)]


def test_cancel_revokes_unused_invitations(world, pubs):
    campaign, issued = _ready(world, pubs)
    services.submit(issued[0].invitation, ratings=_all(campaign))
    services.cancel_campaign(campaign, actor=world.staff, reason="议题调整")
    db.session.commit()
    states = [i.state for i in queries.invitations(campaign)]
    assert states == [InvitationState.USED, InvitationState.REVOKED, InvitationState.REVOKED]
