"""Pure predicates: who may see a publication in the staff area and who may take which step.

Publications belong to an NPC standing committee (its staff draft, its reviewers review, publish and withdraw).
Anyone may read a published or withdrawn publication on the public portal; that needs no predicate.
"""
from __future__ import annotations

from oversight.accounts.models import Role
from oversight.orgs.models import Side
from oversight.orgs.permissions import can_see_organisation_work, institution_of

from .models import Publication
from .workflow import TRANSITIONS, PubAction, available_actions

NPC_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER})


def can_use_publications(user) -> bool:
    return bool(user.is_authenticated and user.has_role(*NPC_ROLES)
                and user.organisation.kind.side is Side.NPC)


def can_create(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.NPC_STAFF) and user.organisation.kind.side is Side.NPC)


def can_view(user, pub: Publication) -> bool:
    return can_use_publications(user) and can_see_organisation_work(user, pub.owner_org)


def of_owner(user, pub: Publication) -> bool:
    """Acting for the committee that owns `pub` (from inside it, never from a committee above or below)."""
    return institution_of(user.organisation).id == pub.owner_org_id


def can_act(user, pub: Publication, action: PubAction) -> bool:
    rule = TRANSITIONS.get((pub.state, action))
    if rule is None or not can_use_publications(user) or not of_owner(user, pub):
        return False
    return any(user.has_role(Role(r)) for r in rule.roles)


def allowed_actions(user, pub: Publication) -> list[PubAction]:
    return [a for a in available_actions(pub.state) if can_act(user, pub, a)]
