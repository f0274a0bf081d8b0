"""Shared set-up for the evaluation tests: published publications and a campaign over them."""
from __future__ import annotations

import datetime as dt

import pytest

from oversight.db import db, utcnow
from reports.publications.models import Publication
from reports.publications.workflow import PubKind, PubState


def publish(owner, title: str, *, state: PubState = PubState.PUBLISHED) -> Publication:
    publication = Publication(kind=PubKind.TYPICAL_CASE, title=title, summary=f"{title}的公开摘要", body="正文",
                              state=state, owner_org_id=owner.id,
                              published_at=utcnow() if state in (PubState.PUBLISHED, PubState.WITHDRAWN) else None)
    if state is PubState.WITHDRAWN:
        publication.withdrawn_at, publication.withdrawn_reason = utcnow(), "内容更新"
    db.session.add(publication)
    db.session.commit()
    return publication


@pytest.fixture
def pubs(world):
    return [publish(world.npc, "典型案例一"), publish(world.body, "典型案例二"), publish(world.npc, "重点议题三")]


def new_campaign(actor, publications, *, opens=None, closes=None, title="第一季度群众评议"):
    from reports.evaluation import services

    now = utcnow()
    campaign = services.create_campaign(
        actor=actor, title=title, description="请评价", opens_at=opens or now - dt.timedelta(minutes=1),
        closes_at=closes or now + dt.timedelta(days=7), publication_ids=[p.id for p in publications])
    db.session.commit()
    return campaign
