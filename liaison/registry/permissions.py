"""Pure predicates for the liaison registry. Contact details are 内部: staff of either side only."""
from __future__ import annotations

from ..permissions import is_staff, organises_for
from .models import LiaisonDesignation


def can_view_directory(user) -> bool:
    return is_staff(user)


def can_designate(user, institution) -> bool:
    return organises_for(user, institution)


def can_end(user, designation: LiaisonDesignation) -> bool:
    return designation.valid_to is None and organises_for(user, designation.institution)
