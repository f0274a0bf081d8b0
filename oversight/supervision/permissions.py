"""Pure predicates: administrators define and tune models; NPC staff and reviewers read alerts; only NPC
liaison staff decide on them (confirm, convert to a topic, dismiss)."""
from __future__ import annotations

from ..accounts.models import Role
from ..orgs.models import Side
from .workflow import AlertAction, available_actions


def can_manage_models(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_view_alerts(user) -> bool:
    return user.is_authenticated and (user.has_role(Role.NPC_STAFF, Role.NPC_REVIEWER, Role.SYSTEM_ADMIN))


def can_act(user, alert, action: AlertAction) -> bool:
    return (user is not None and user.is_authenticated and user.has_role(Role.NPC_STAFF)
            and user.side is Side.NPC and action in available_actions(alert.state))


def allowed_actions(user, alert) -> list[AlertAction]:
    return [a for a in available_actions(alert.state) if can_act(user, alert, a)]
