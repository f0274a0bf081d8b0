"""The campaign clock: open drafts whose opening time has come (when they have items and invitations),
close open campaigns whose closing time has passed, and forget old wrong-token attempts. Idempotent:
each step selects by state, so running it twice (or late) changes nothing more.

`campaign_clock` is the use case (flushes, never commits); `run_campaign_clock` is what the scheduler
calls: it runs the clock in the scheduler's app and commits once.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.db import commit, db, utcnow
from . import services
from .models import Campaign, CampaignItem, EvaluationInvitation, EvaluationTokenFailure
from .workflow import InvitationState, State

KEEP_FAILURES = dt.timedelta(days=1)


def campaign_clock(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    counts = {"opened": 0, "closed": 0, "failures_purged": 0}
    ready = (sa.select(Campaign).where(
        Campaign.state == State.DRAFT, Campaign.opens_at <= now, Campaign.closes_at > now,
        sa.exists().where(CampaignItem.campaign_id == Campaign.id),
        sa.exists().where(EvaluationInvitation.campaign_id == Campaign.id, EvaluationInvitation.state == InvitationState.UNUSED))
        .order_by(Campaign.id))
    for campaign in db.session.scalars(ready).all():
        services.open_campaign(campaign, actor=None, now=now)
        counts["opened"] += 1
    due = sa.select(Campaign).where(Campaign.state == State.OPEN, Campaign.closes_at <= now).order_by(Campaign.id)
    for campaign in db.session.scalars(due).all():
        services.close_campaign(campaign, actor=None, now=now)
        counts["closed"] += 1
    purged = db.session.execute(sa.delete(EvaluationTokenFailure).where(EvaluationTokenFailure.at < now - KEEP_FAILURES))
    counts["failures_purged"] = purged.rowcount or 0
    db.session.flush()
    return counts


def run_campaign_clock() -> None:
    """The scheduler's entry point."""
    from oversight.scheduler import job_app

    app = job_app()
    with app.app_context():
        counts = campaign_clock()
        commit()
        if counts["opened"] or counts["closed"]:
            app.logger.info("evaluation campaign clock: %s", counts)
