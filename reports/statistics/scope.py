"""Whose work a statistic counts: everything, what a user may see, an organisation's subtree, or a
deputy's own items. Each scope is one SQL condition on referrals plus the search filters that
reproduce it, so a drill-down link opens the same rows the figure counted. The other sections
(rectification items, meetings) build their own condition from the scope's kind, user and organisation.
"""
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
    kind: str = "everything"                      # everything / user / organisation / deputy
    user: object = field(default=None, compare=False)   # whose visibility limits the scope (user, organisation)
    organisation_path: str | None = None
    deputy_id: int | None = None

    @classmethod
    def everything(cls, label: str = "") -> Scope:
        return cls(label or "", sa.true())

    @classmethod
    def for_user(cls, user, label: str = "") -> Scope:
        """What `user` may see (the referral list's own condition)."""
        from oversight.referrals.queries import visible_to

        return cls(label, visible_to(user), kind="user", user=user)

    @classmethod
    def for_organisation(cls, org: Organisation, user=None) -> Scope:
        """Items an organisation's subtree sent or received (within what `user` may see)."""
        condition = sa.or_(Referral.sender_org_id.in_(subtree(org.path)), Referral.receiver_org_id.in_(subtree(org.path)))
        if user is not None:
            from oversight.referrals.queries import visible_to

            condition = sa.and_(condition, visible_to(user))
        return cls(org.name, condition, (("organisation", org.id), ("subtree", "y")), org.id, kind="organisation", user=user,
                   organisation_path=org.path)

    @classmethod
    def for_deputy(cls, deputy, label: str = "") -> Scope:
        return cls(label or deputy.display_name, Referral.deputy_id == deputy.id, kind="deputy", deputy_id=deputy.id)

    @property
    def key(self) -> str:
        """Names the scope for cached figures: the same key always means the same rows."""
        user_id = getattr(self.user, "id", None)
        return f"{self.kind}:o{self.organisation_id or ''}:u{user_id or ''}:d{self.deputy_id or ''}"


def subtree(path: str) -> sa.Select:
    return sa.select(Organisation.id).where(Organisation.path.startswith(path, autoescape=True))
