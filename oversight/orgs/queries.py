"""Read-only queries on organisations, and the one scoping helper every list uses."""
from __future__ import annotations

import sqlalchemy as sa

from ..db import db
from .models import Organisation, OrgKind, Side
from .permissions import scope_root


def visible_organisations(user) -> sa.Select:
    """A SELECT of the ids of organisations whose work `user` may see (see `can_see_organisation_work`)."""
    root = scope_root(user)
    return sa.select(Organisation.id).where(Organisation.path.startswith(root.path, autoescape=True))


def scoped(stmt: sa.Select, *org_columns, user) -> sa.Select:
    """Restrict `stmt` to rows where any of `org_columns` is an organisation `user` may see.

    Every list of organisation-owned records goes through this, so a forgotten filter cannot happen:
    `scoped(select(Referral), Referral.sender_org_id, Referral.receiver_org_id, user=user)`.
    """
    return stmt.where(in_scope(*org_columns, user=user))


def in_scope(*org_columns, user) -> sa.ColumnElement[bool]:
    """The condition `scoped` adds, for lists that combine it with other grounds (OR) to see a row."""
    visible = visible_organisations(user)
    return sa.or_(*[col.in_(visible) for col in org_columns])


def tree(*, include_inactive: bool = True) -> list[Organisation]:
    """All organisations in tree order (parents before children, siblings by code)."""
    stmt = sa.select(Organisation)
    if not include_inactive:
        stmt = stmt.where(Organisation.active.is_(True))
    orgs = list(db.session.scalars(stmt))
    by_parent: dict[int | None, list[Organisation]] = {}
    for org in orgs:
        by_parent.setdefault(org.parent_id, []).append(org)
    ordered: list[Organisation] = []

    def walk(parent_id):
        for org in sorted(by_parent.get(parent_id, []), key=lambda o: o.code):
            ordered.append(org)
            walk(org.id)

    walk(None)
    return ordered


def get_by_code(code: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(sa.func.lower(Organisation.code) == code.strip().lower()))


def choices(*, kinds: set[OrgKind] | None = None, side: Side | None = None,
            active_only: bool = True) -> list[Organisation]:
    stmt = sa.select(Organisation)
    if kinds:
        stmt = stmt.where(Organisation.kind.in_(kinds))
    if side:
        stmt = stmt.where(Organisation.kind.in_([k for k in OrgKind if k.side == side]))
    if active_only:
        stmt = stmt.where(Organisation.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Organisation.path)))


def pairing_of(org: Organisation) -> Organisation | None:
    """The same-level counterpart: a committee's procuratorate, or a procuratorate's committee."""
    if org.kind is OrgKind.NPC_COMMITTEE:
        return org.paired_procuratorate
    if org.kind is OrgKind.PROCURATORATE:
        return db.session.scalar(sa.select(Organisation).where(Organisation.paired_procuratorate_id == org.id))
    return None


def usage(org: Organisation) -> dict[str, int]:
    """How many records refer to `org`; an organisation with any is never hard-deleted."""
    from ..accounts.models import DeputyProfile, User

    return {
        "children": db.session.scalar(sa.select(sa.func.count()).where(Organisation.parent_id == org.id)),
        "users": db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.organisation_id == org.id)),
        "active_users": db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.organisation_id == org.id, User.active.is_(True))),
        "deputies": db.session.scalar(sa.select(sa.func.count()).select_from(DeputyProfile).where(
            DeputyProfile.liaison_station_id == org.id)),
    }
