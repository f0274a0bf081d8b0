"""Pure predicates: who may see a referral, and who may take which action on it."""
from __future__ import annotations

from ..accounts.models import Role
from ..orgs.models import Side
from ..orgs.permissions import acts_for, can_see_organisation_work, institution_of
from .models import Approver, Referral
from .workflow import (NPC_STAFF, P_CONTACT, Action, Direction, Party, State, Transition, available_actions,
                       TABLES)

STAFF_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER, Role.PROCURATORATE_CONTACT})


def sender_side(referral: Referral) -> Side:
    return Side.NPC if referral.direction is Direction.NPC_TO_PROCURATORATE else Side.PROCURATORATE


def user_side_of(user, referral: Referral) -> Party | None:
    """Whether `user` stands on the sending or the receiving side of `referral`."""
    if user.side is sender_side(referral):
        return Party.SENDER
    if user.side in (Side.NPC, Side.PROCURATORATE):
        return Party.RECEIVER
    return None


def acts_within(user, org) -> bool:
    """May `user` act in the name of `org`? From inside it, and not from an institution below it: a
    district procuratorate sits under the city's in the tree but never acts in its name."""
    return acts_for(user, org) and institution_of(user.organisation).id == institution_of(org).id


def can_view(user, referral: Referral) -> bool:
    if not user.is_authenticated:
        return False
    if referral.deputy_id == user.id or (referral.handler_id == user.id and referral.handler_id is not None):
        return True
    if not user.has_role(*STAFF_ROLES):
        return False  # deputies and handlers see only their own items
    if referral.state is State.DRAFT:  # drafts stay with the side that writes them
        return user_side_of(user, referral) is Party.SENDER and can_see_organisation_work(user, referral.sender_org)
    return can_see_organisation_work(user, referral.sender_org) or can_see_organisation_work(user, referral.receiver_org)


def rule_for(referral: Referral, action: Action) -> Transition | None:
    """The table's transition, with the type's choice of extension approver applied."""
    rule = TABLES[referral.direction].get((referral.state, action))
    if rule is not None and action is Action.DECIDE_EXTENSION and referral.type.extension_approver is Approver.RECEIVER:
        rule = Transition(rule.target, Party.RECEIVER, frozenset({P_CONTACT}), rule.guard)
    return rule


def guard_holds(referral: Referral, action: Action) -> bool:
    """The guards that depend on the referral's kind rather than on the person: only a deputy's
    suggestion is converted to a deputy's letter, and 面商 is with the deputy who made it."""
    if action is Action.CONVERT:
        return referral.type.requires_deputy
    if action is Action.CONSULT:
        return referral.deputy_id is not None
    return True


def can_act(user, referral: Referral, action: Action) -> bool:
    """Whether `user` may take `action` now: the table allows it, they are the right person, and the
    referral is of the kind the action is for."""
    return may_take(user, referral, action) and guard_holds(referral, action)


def may_take(user, referral: Referral, action: Action) -> bool:
    """The table allows `action` now and `user` stands on the acting side with an acting role — who
    may act, before the kind-of-referral guards (the services answer those with their own message)."""
    rule = rule_for(referral, action)
    if rule is None or rule.party is Party.SYSTEM or not user.is_authenticated:
        return False
    held = {r.value for r in user.roles} & rule.roles
    if not held:
        return False
    org = referral.sender_org if rule.party is Party.SENDER else referral.receiver_org
    if not acts_within(user, org):
        return False
    staff = held - {Role.DEPUTY.value, Role.PROCURATORATE_HANDLER.value}
    if staff:
        return True
    # Only personal roles left: a deputy acts on their own suggestion, a handler on their assignment.
    if Role.DEPUTY.value in held and referral.deputy_id == user.id:
        return True
    return Role.PROCURATORATE_HANDLER.value in held and referral.handler_id == user.id


def allowed_actions(user, referral: Referral) -> list[Action]:
    return [a for a in available_actions(referral.direction, referral.state) if can_act(user, referral, a)]


def can_create(user, direction: Direction) -> bool:
    if direction is Direction.NPC_TO_PROCURATORATE:
        return user.has_role(Role.NPC_STAFF, Role.DEPUTY)
    return user.has_role(Role.PROCURATORATE_CONTACT)


def can_read_internal(user, message_side: str) -> bool:
    """Internal notes are for the author's side only."""
    return user.side.value == message_side


def can_export_npc_log(user, referral: Referral) -> bool:
    """The procuratorate keeps the NPC side's messages on case-related referrals (干预过问记录)."""
    return referral.type.case_related and user.side is Side.PROCURATORATE and can_view(user, referral)


REFERRAL_ROLES = STAFF_ROLES | {Role.PROCURATORATE_HANDLER, Role.DEPUTY}


def can_use_referrals(user) -> bool:
    """Whether the referral pages (inbox, search, help) are part of `user`'s work."""
    return user.is_authenticated and user.has_role(*REFERRAL_ROLES)


def can_send_new(user, direction: Direction) -> bool:
    """Whether `user` may send (移送/报送) a draft of `direction` they have just written."""
    send = Action.SEND if direction is Direction.NPC_TO_PROCURATORATE else Action.SUBMIT
    rule = TABLES[direction].get((State.DRAFT, send))
    return rule is not None and bool({r.value for r in user.roles} & rule.roles)


__all__ = ["NPC_STAFF", "allowed_actions", "can_act", "can_create", "can_view", "rule_for"]
