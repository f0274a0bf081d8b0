"""Demo evaluation data: a closed campaign with published results and an open campaign with a few unused
invitations whose (fixed, demo-only) codes the organiser's staff page shows. Everything goes through the
real services; idempotent (nothing if any campaign exists)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.db import db, utcnow
from . import tokens
from .models import Campaign, EvaluationInvitation
from .workflow import InvitationState, Rating

# Demo-only tokens (they are in the source, so they are no secret): the open campaign's unused invitations.
DEMO_TOKENS = [f"DEM0EVA1000000{n:02d}" for n in range(1, 6)]
DEMO_HASHES = {tokens.token_hash(t): t for t in DEMO_TOKENS}
ORGANISER = "npc.liaison"


def demo_codes(invitations: list[EvaluationInvitation]) -> dict[int, str]:
    """invitation id → the demo token, for unused demo invitations (shown on the staff page)."""
    return {i.id: DEMO_HASHES[i.token_hash] for i in invitations
            if i.token_hash in DEMO_HASHES and i.state is InvitationState.UNUSED}


def _published_items(organiser, limit: int = 3) -> list[int]:
    from . import services

    return [p.id for p in services.selectable_publications(organiser)[:limit]]


def _fallback_publication(organiser, actor):
    """When the demo has no published item of its own yet: one plain, already-clean typical case."""
    from reports.publications.models import Publication
    from reports.publications.workflow import PubKind, PubState

    publication = Publication(
        kind=PubKind.TYPICAL_CASE, state=PubState.PUBLISHED, published_at=utcnow(), owner_org_id=organiser.id,
        created_by_id=actor.id, title="典型案例：督促整治农村饮用水水源地环境问题",
        summary="检察机关依法履行公益诉讼检察职责，督促有关部门完成饮用水水源地整治。",
        body="某区检察院在人大常委会移送的线索基础上，督促有关部门清理水源保护区内的违法建筑和排污口，整改已全部完成。")
    db.session.add(publication)
    db.session.flush()
    return publication


def load_evaluation() -> int:
    """Create the demo campaigns; returns how many were created (0 if any exist or nothing is published)."""
    from . import services

    if db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)):
        return 0
    actor = db.session.scalar(sa.select(User).where(User.username == ORGANISER))
    if actor is None:
        return 0
    from oversight.orgs.permissions import institution_of

    organiser = institution_of(actor.organisation)
    items = _published_items(organiser) or [_fallback_publication(organiser, actor).id]
    now = utcnow()
    # 1. Last month's campaign: opened, rated by 12 of 15 invitees, closed and its results published.
    past = services.create_campaign(
        actor=actor, title="2026 年第三季度检察监督工作群众评议",
        description="请对以下已公开的监督事项的办理和整改情况作出评价。",
        opens_at=now + dt.timedelta(minutes=1), closes_at=now + dt.timedelta(days=14), publication_ids=items)
    issued = services.generate_invitations(past, actor=actor, count=15)
    services.open_campaign(past, actor=actor)
    pattern = [Rating.SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.SATISFIED,
               Rating.DISSATISFIED, Rating.BASICALLY_SATISFIED, Rating.SATISFIED]
    for n, one in enumerate(issued[:12]):
        ratings = {item.id: pattern[(n + k) % len(pattern)].value for k, item in enumerate(past.items)}
        services.submit(one.invitation, ratings=ratings, comments={past.items[0].id: "希望继续公开整改进展。"} if n == 0 else {})
    services.close_campaign(past, actor=actor)
    past.opens_at, past.closes_at = now - dt.timedelta(days=40), now - dt.timedelta(days=26)
    past.opened_at, past.closed_at = past.opens_at, past.closes_at
    services.publish_results(past, actor=actor)
    # 2. The running campaign with five unused demo invitations.
    current = services.create_campaign(
        actor=actor, title="2026 年第四季度群众评议", description="欢迎受邀群众代表对下列公开事项作出评价。",
        opens_at=now + dt.timedelta(minutes=1), closes_at=now + dt.timedelta(days=30), publication_ids=items)
    for number, token in enumerate(DEMO_TOKENS, 1):
        db.session.add(EvaluationInvitation(campaign=current, token_hash=tokens.token_hash(token), number=number,
                                  label=f"演示邀请 {number}", created_by_id=actor.id))
    db.session.flush()
    services.open_campaign(current, actor=actor)
    db.session.flush()
    import click

    click.echo(f"demo evaluation: open the public link /public/evaluation/{DEMO_TOKENS[0]} "
               f"(code {tokens.grouped(DEMO_TOKENS[0])}); all demo codes on the campaign's staff page "
               f"(/evaluation/{current.id}, {ORGANISER})")
    return 2
