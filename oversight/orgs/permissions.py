"""Pure predicates about organisations and organisation scope.

A user works for an *institution*: the standing committee or procuratorate their unit belongs to
(a working body, liaison station or department belongs to its committee or procuratorate). They see
what their institution sends or receives, and — since institutions are supervising levels — what
the institutions below it send or receive. They *act* only for units they are inside of.
"""
from __future__ import annotations

from .models import Organisation, OrgKind

SUPERVISING_KINDS = frozenset({OrgKind.NPC_COMMITTEE, OrgKind.PROCURATORATE})


def in_subtree(org: Organisation, root: Organisation) -> bool:
    return org.path.startswith(root.path)


def institution_of(org: Organisation) -> Organisation:
    """The nearest committee or procuratorate at or above `org` (or `org` itself if there is none)."""
    node = org
    while node is not None:
        if node.kind in SUPERVISING_KINDS:
            return node
        node = node.parent
    return org


def scope_root(user) -> Organisation:
    """The organisation whose subtree bounds what `user` sees."""
    return institution_of(user.organisation)


def can_see_organisation_work(user, org: Organisation) -> bool:
    """May `user` see what `org` sends or receives? Anything inside their institution's subtree."""
    return in_subtree(org, scope_root(user))


def acts_for(user, org: Organisation) -> bool:
    """May `user` act in the name of `org`? Only from inside it (their unit is `org` or below it)."""
    return in_subtree(user.organisation, org)
