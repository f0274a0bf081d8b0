"""Whose work a statistic counts: everything, what a user may see, an organisation's subtree, or a
deputy's own items. Each scope is one SQL condition on referrals plus the search filters that
reproduce it, so a drill-down link opens the same rows the figure counted."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from oversight.orgs.models import Organisation
from oversight.referrals.models import Referral


@dataclass(frozen=True)
class Scope:
    label: str
    condition: sa.ColumnElement[bool] = field(default_factory=sa.true, compare=False)
    search_args: tuple[tuple[str, object], ...] = ()
    organisation_id: int | None = None

    @classmethod
    def everything(cls, label: str = "") -> Scope:
        return cls(label or "", sa.true())

    @classmethod
    def for_user(cls, user, label: str = "") -> Scope:
        """What `user` may see (the referral list's own condition)."""
        from oversight.referrals.queries import visible_to

        return cls(label, visible_to(user))

    @classmethod
    def for_organisation(cls, org: Organisation, user=None) -> Scope:
        """Items an organisation's subtree sent or received (within what `user` may see)."""
        subtree = sa.select(Organisation.id).where(Organisation.path.startswith(org.path, autoescape=True))
        condition = sa.or_(Referral.sender_org_id.in_(subtree), Referral.receiver_org_id.in_(subtree))
        if user is not None:
            from oversight.referrals.queries import visible_to

            condition = sa.and_(condition, visible_to(user))
        return cls(org.name, condition, (("organisation", org.id),), org.id)

    @classmethod
    def for_deputy(cls, deputy, label: str = "") -> Scope:
        return cls(label or deputy.display_name, Referral.deputy_id == deputy.id)
