"""Pure predicates: who sees clues, who triages them, who may see a sender's contact details."""
from __future__ import annotations

from ..accounts.models import Role
from ..orgs.permissions import acts_for, can_see_organisation_work, institution_of
from .models import Clue
from .workflow import ACTING_ROLES, ClueAction, ClueState, target

VIEW_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER})
# Contact details are 敏感: the NPC side's roles cleared for sensitive material (reports.permissions
# CLEARED_ROLES[SENSITIVE] on the NPC side). Never the procuratorate, a deputy or an administrator.
CONTACT_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER})


def can_use_clues(user) -> bool:
    """Whether the clue pages are part of `user`'s work (the navigation asks this)."""
    return user.is_authenticated and user.has_role(*VIEW_ROLES)


def can_view(user, clue: Clue) -> bool:
    """NPC staff of the receiving committee or of a committee above it."""
    return can_use_clues(user) and can_see_organisation_work(user, clue.receiving_org)


def _acts_within(user, org) -> bool:
    return acts_for(user, org) and institution_of(user.organisation).id == institution_of(org).id


def may_take(user, clue: Clue, action: ClueAction) -> bool:
    """The table allows `action` now, and `user` is NPC staff inside the receiving committee itself."""
    if target(clue.state, action) is None or not user.is_authenticated:
        return False
    if not {r.value for r in user.roles} & ACTING_ROLES:
        return False
    return _acts_within(user, clue.receiving_org)


def allowed_actions(user, clue: Clue) -> list[ClueAction]:
    return [a for a in ClueAction if may_take(user, clue, a)]


def can_see_contact(user, clue: Clue) -> bool:
    return can_view(user, clue) and user.has_role(*CONTACT_ROLES)


def can_attach(user, clue: Clue) -> bool:
    """Staff never add files to a clue: its attachments are the sender's."""
    return False


def is_open(clue: Clue) -> bool:
    return clue.state is ClueState.RECEIVED
