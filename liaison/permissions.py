"""Pure predicates shared by the liaison sub-packages: who works liaison, and on which side."""
from __future__ import annotations

from oversight.accounts.models import Role
from oversight.orgs.models import Organisation, OrgKind, Side
from oversight.orgs.permissions import can_see_organisation_work, in_subtree, institution_of
from oversight.referrals.permissions import acts_within

# Who organises meetings and designates liaison persons for their institution.
ORGANISER_ROLE = {Side.NPC: Role.NPC_STAFF, Side.PROCURATORATE: Role.PROCURATORATE_CONTACT}
STAFF_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER, Role.PROCURATORATE_CONTACT})
LIAISON_ROLES = STAFF_ROLES | {Role.PROCURATORATE_HANDLER, Role.DEPUTY}
INSTITUTION_KINDS = frozenset({OrgKind.NPC_COMMITTEE, OrgKind.PROCURATORATE})


def can_use_liaison(user) -> bool:
    """Whether the liaison pages (meetings, calendar, activities) are part of `user`'s work."""
    return user.is_authenticated and user.has_role(*LIAISON_ROLES)


def is_staff(user) -> bool:
    return user.is_authenticated and user.has_role(*STAFF_ROLES)


def organises_for(user, org: Organisation) -> bool:
    """May `user` organise (schedule, designate, approve) in the name of `org`'s institution?"""
    role = ORGANISER_ROLE.get(org.side)
    return (user.is_authenticated and role is not None and user.has_role(role)
            and acts_within(user, institution_of(org)))


def within_either(org: Organisation, first: Organisation, second: Organisation) -> bool:
    """Is `org` inside one of the two institutions (their subtrees)?"""
    return in_subtree(org, first) or in_subtree(org, second)


def sees_either(user, first: Organisation, second: Organisation) -> bool:
    return is_staff(user) and (can_see_organisation_work(user, first) or can_see_organisation_work(user, second))
