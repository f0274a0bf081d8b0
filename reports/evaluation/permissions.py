"""Pure predicates: who sees and who runs an evaluation campaign. NPC side only: the NPC staff of the
organising institution run it; NPC staff and reviewers whose scope covers it see it."""
from __future__ import annotations

from oversight.accounts.models import Role
from oversight.orgs.models import Side
from oversight.orgs.permissions import can_see_organisation_work, institution_of
from oversight.referrals.permissions import acts_within
from .models import Campaign, EvaluationInvitation
from .workflow import Action, InvitationState, State, available_actions

VIEW_ROLES = (Role.NPC_STAFF, Role.NPC_REVIEWER)


def can_use_evaluation(user) -> bool:
    """Whether the evaluation pages are part of `user`'s work (the menu asks the same)."""
    return (user.is_authenticated and user.has_role(*VIEW_ROLES)
            and user.organisation is not None and user.organisation.side is Side.NPC)


def can_create(user) -> bool:
    return (user.is_authenticated and user.has_role(Role.NPC_STAFF)
            and user.organisation is not None and user.organisation.side is Side.NPC)


def can_view(user, campaign: Campaign) -> bool:
    return can_use_evaluation(user) and can_see_organisation_work(user, campaign.organiser_org)


def can_manage(user, campaign: Campaign) -> bool:
    """The organising institution's NPC staff — not a lower or another institution's."""
    return (can_create(user) and campaign.organiser_org.side is Side.NPC
            and acts_within(user, institution_of(campaign.organiser_org)))


def can_act(user, campaign: Campaign, action: Action) -> bool:
    return action in available_actions(campaign.state) and can_manage(user, campaign)


def allowed_actions(user, campaign: Campaign) -> list[Action]:
    return [a for a in available_actions(campaign.state) if can_act(user, campaign, a)]


def can_revoke(user, invitation: EvaluationInvitation) -> bool:
    return invitation.state is InvitationState.UNUSED and can_act(user, invitation.campaign, Action.REVOKE)


def results_public(campaign: Campaign) -> bool:
    return campaign.state is State.PUBLISHED
