"""Pure predicates about what a user may do with accounts and the system's settings."""
from __future__ import annotations

from .models import Role


def can_manage_users(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_manage_organisations(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_manage_calendar(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_manage_referral_types(user) -> bool:
    """Referral types hold the deadlines every referral is computed with: system settings."""
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_view_audit(user) -> bool:
    return user.is_authenticated and user.has_role(Role.AUDITOR)


def can_view_directory(user) -> bool:
    """The organisation tree is shared knowledge inside the system."""
    return user.is_authenticated
