"""Pure predicates about organisations and organisation scope."""
from __future__ import annotations

from .models import Organisation, OrgKind

# Organisations whose users see their subtree (a supervising level), not only their own unit.
SUPERVISING_KINDS = frozenset({OrgKind.NPC_COMMITTEE, OrgKind.PROCURATORATE})


def in_subtree(org: Organisation, root: Organisation) -> bool:
    return org.path.startswith(root.path)


def scope_root(user) -> Organisation:
    """The organisation whose subtree bounds what `user` sees."""
    return user.organisation


def can_see_organisation_work(user, org: Organisation) -> bool:
    """May `user` see what `org` sends or receives? Own organisation, or its subtree for a
    supervising level (a standing committee or procuratorate and everything under it)."""
    root = scope_root(user)
    if org.id == root.id:
        return True
    return root.kind in SUPERVISING_KINDS and in_subtree(org, root)
