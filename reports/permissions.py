"""Pure predicates: who sees which dashboard, who manages reports, who may receive a report."""
from __future__ import annotations

from oversight.accounts.models import Role
from oversight.orgs.permissions import can_see_organisation_work
from oversight.referrals.models import Classification

NPC_DASHBOARD_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER})
PROCURATORATE_DASHBOARD_ROLES = frozenset({Role.PROCURATORATE_CONTACT, Role.PROCURATORATE_HANDLER})
STAFF_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER, Role.PROCURATORATE_CONTACT})
# Who may hold a report of each classification. Public reports go to anyone with an account;
# internal ones stay with the two institutions' working staff and deputies; sensitive ones with the
# liaison staff who handle sensitive referrals. The system administrator is not cleared (three-admin
# separation): they see the runs' status, never the business data in the reports.
CLEARED_ROLES = {
    Classification.INTERNAL: frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER, Role.PROCURATORATE_CONTACT,
                                        Role.PROCURATORATE_HANDLER, Role.DEPUTY}),
    Classification.SENSITIVE: frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER, Role.PROCURATORATE_CONTACT}),
}


def can_view_leadership(user) -> bool:
    return user.is_authenticated and user.has_role(*NPC_DASHBOARD_ROLES)


def can_view_procuratorate(user) -> bool:
    return user.is_authenticated and user.has_role(*PROCURATORATE_DASHBOARD_ROLES)


def can_view_organisation(user, org) -> bool:
    """Staff see the dashboard of any organisation inside their institution's subtree."""
    return user.is_authenticated and user.has_role(*STAFF_ROLES) and can_see_organisation_work(user, org)


def can_view_deputy(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DEPUTY)


def can_use_dashboards(user) -> bool:
    return can_view_leadership(user) or can_view_procuratorate(user) or can_view_deputy(user)


def can_manage_reports(user) -> bool:
    """Schedules, recipients and running a report now are system settings."""
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN)


def can_receive(user, classification: Classification) -> bool:
    """May `user` hold a report of `classification`?"""
    if not user.active:
        return False
    if classification is Classification.PUBLIC:
        return True
    return bool(user.roles & CLEARED_ROLES[classification])


def can_receive_for(user, classification: Classification, org) -> bool:
    """May `user` hold a report of `classification` over `org`'s work (inside their institution's subtree)?"""
    return org is not None and can_receive(user, classification) and can_see_organisation_work(user, org)


def can_view_archive(user) -> bool:
    return user.is_authenticated and user.has_role(*STAFF_ROLES)


def can_download(user, run, delivered_to: set[int]) -> bool:
    """The archive: staff who may see the work of the run's organisation and are cleared for its
    classification, and its recipients — who must still be cleared and in scope today."""
    if not user.is_authenticated or run.organisation is None:
        return False
    if not can_receive_for(user, run.classification, run.organisation):
        return False
    return user.id in delivered_to or can_view_archive(user)
