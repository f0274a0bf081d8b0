"""Pure predicates: administrators define and tune models; NPC staff and reviewers read the alerts of their
committee and the committees below it; only NPC liaison staff of the alert's own committee decide on it
(confirm, convert to a topic, dismiss) — as with clues, a committee above sees but does not act."""
from __future__ import annotations

from ..accounts.models import Role
from ..orgs.models import Side
from ..orgs.permissions import acts_for, can_see_organisation_work, institution_of
from .workflow import AlertAction, available_actions


def can_manage_models(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_view_alerts(user) -> bool:
    """Whether the alert pages are part of `user`'s work (the navigation asks this)."""
    return user.is_authenticated and (user.has_role(Role.NPC_STAFF, Role.NPC_REVIEWER, Role.SYSTEM_ADMIN))


def sees_all_alerts(user) -> bool:
    """System administrators tune every model, so they see every alert (and its precision)."""
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_view(user, alert) -> bool:
    """An administrator, or NPC staff/reviewers of the alert's committee or of a committee above it."""
    if not can_view_alerts(user):
        return False
    if sees_all_alerts(user):
        return True
    return (alert.scope_org is not None and user.organisation is not None
            and can_see_organisation_work(user, alert.scope_org))


def in_own_committee(user, alert) -> bool:
    """`user` works inside the alert's committee itself (not in a committee below or above it)."""
    org = alert.scope_org
    return (org is not None and user.organisation is not None and acts_for(user, org)
            and institution_of(user.organisation).id == institution_of(org).id)


def is_liaison_staff(user) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.NPC_STAFF) and user.side is Side.NPC


def can_act(user, alert, action: AlertAction) -> bool:
    return is_liaison_staff(user) and action in available_actions(alert.state) and in_own_committee(user, alert)


def allowed_actions(user, alert) -> list[AlertAction]:
    return [a for a in available_actions(alert.state) if can_act(user, alert, a)]
