"""Reading campaigns and computing their results (DOMAIN.md §8: satisfaction rate = (满意 + 基本满意)
÷ evaluated, with 满意 alone beside it; participation = invitations that submitted ÷ invitations issued
and not revoked)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa

from oversight.db import db
from oversight.orgs.permissions import scope_root
from .models import Campaign, CampaignItem, EvaluationInvitation, EvaluationResponse
from .workflow import InvitationState, Rating, State


def for_user(user, *, limit: int = 200) -> list[Campaign]:
    """Campaigns organised inside the user's scope, newest first."""
    from oversight.orgs.models import Organisation

    root = scope_root(user)
    return list(db.session.scalars(
        sa.select(Campaign).join(Organisation, Campaign.organiser_org_id == Organisation.id)
        .where(Organisation.path.startswith(root.path))
        .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(limit)))


def published(limit: int = 100) -> list[Campaign]:
    return list(db.session.scalars(sa.select(Campaign).where(Campaign.state == State.PUBLISHED)
                                   .order_by(Campaign.results_published_at.desc(), Campaign.id.desc()).limit(limit)))


def invitations(campaign: Campaign) -> list[EvaluationInvitation]:
    return list(db.session.scalars(sa.select(EvaluationInvitation).where(EvaluationInvitation.campaign_id == campaign.id)
                                   .order_by(EvaluationInvitation.number)))


def _rate(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class ItemResult:
    item: CampaignItem
    satisfied: int
    basically: int
    dissatisfied: int

    @property
    def evaluated(self) -> int:
        return self.satisfied + self.basically + self.dissatisfied

    @property
    def satisfaction_rate(self) -> Fraction | None:
        return _rate(self.satisfied + self.basically, self.evaluated)

    @property
    def satisfied_rate(self) -> Fraction | None:
        return _rate(self.satisfied, self.evaluated)


@dataclass(frozen=True)
class Results:
    items: list[ItemResult]
    issued: int         # invitations not revoked
    submitted: int      # invitations used
    revoked: int

    @property
    def participation_rate(self) -> Fraction | None:
        return _rate(self.submitted, self.issued)


def results(campaign: Campaign) -> Results:
    counts: dict[tuple[int, Rating], int] = {
        (item_id, rating): n for item_id, rating, n in db.session.execute(
            sa.select(EvaluationResponse.item_id, EvaluationResponse.rating, sa.func.count())
            .join(CampaignItem, CampaignItem.id == EvaluationResponse.item_id)
            .where(CampaignItem.campaign_id == campaign.id)
            .group_by(EvaluationResponse.item_id, EvaluationResponse.rating))}
    by_state = dict(db.session.execute(
        sa.select(EvaluationInvitation.state, sa.func.count()).where(EvaluationInvitation.campaign_id == campaign.id)
        .group_by(EvaluationInvitation.state)).all())
    items = [ItemResult(item, counts.get((item.id, Rating.SATISFIED), 0),
                        counts.get((item.id, Rating.BASICALLY_SATISFIED), 0),
                        counts.get((item.id, Rating.DISSATISFIED), 0)) for item in campaign.items]
    used = by_state.get(InvitationState.USED, 0)
    return Results(items=items, issued=used + by_state.get(InvitationState.UNUSED, 0), submitted=used,
                   revoked=by_state.get(InvitationState.REVOKED, 0))


def comments(campaign: Campaign) -> list[EvaluationResponse]:
    """The comments (staff only: they may hold personal data and are never published)."""
    return list(db.session.scalars(
        sa.select(EvaluationResponse).join(CampaignItem, CampaignItem.id == EvaluationResponse.item_id)
        .where(CampaignItem.campaign_id == campaign.id, EvaluationResponse.comment != "")
        .order_by(CampaignItem.position, EvaluationResponse.id)))


def percent(value: Fraction | None) -> str:
    """A rate as shown: one decimal, or a dash when nothing was evaluated."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"
