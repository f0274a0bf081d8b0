"""Read-only queries of the liaison registry: who is the liaison now, between whom, and the history."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from oversight.db import db
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import institution_of
from oversight.orgs.queries import pairing_of
from oversight.workdays import today
from .models import ContactRole, LiaisonDesignation


def current(institution: Organisation, on: dt.date | None = None) -> list[LiaisonDesignation]:
    """The designations of `institution` valid on `on` (default today), primary contacts first."""
    on = on or today()
    rows = db.session.scalars(
        sa.select(LiaisonDesignation).where(
            LiaisonDesignation.institution_id == institution.id, LiaisonDesignation.valid_from <= on,
            sa.or_(LiaisonDesignation.valid_to.is_(None), LiaisonDesignation.valid_to >= on))
        .order_by(LiaisonDesignation.valid_from, LiaisonDesignation.id))
    return sorted(rows, key=lambda d: d.contact_role is not ContactRole.PRIMARY)


def history(institution: Organisation) -> list[LiaisonDesignation]:
    """Every designation `institution` has made, newest first."""
    return list(db.session.scalars(
        sa.select(LiaisonDesignation).where(LiaisonDesignation.institution_id == institution.id)
        .order_by(LiaisonDesignation.valid_from.desc(), LiaisonDesignation.id.desc())))


@dataclass(frozen=True)
class Liaison:
    """The answer to "who is the liaison between X and Y": each institution with its current contacts."""

    first: Organisation
    first_contacts: list[LiaisonDesignation]
    second: Organisation
    second_contacts: list[LiaisonDesignation]


def between(x: Organisation, y: Organisation, on: dt.date | None = None) -> Liaison:
    """The liaison persons between the institutions of `x` and `y` (a working body or a department
    stands for its committee or procuratorate)."""
    a, b = institution_of(x), institution_of(y)
    return Liaison(a, current(a, on), b, current(b, on))


def directory(institutions: list[Organisation], on: dt.date | None = None) -> list[Liaison]:
    """Each NPC committee among `institutions` with its paired procuratorate and both sides' contacts."""
    rows = []
    for org in institutions:
        counterpart = pairing_of(org) if org.side.value == "npc" else None
        if counterpart is not None:
            rows.append(between(org, counterpart, on))
    return rows
