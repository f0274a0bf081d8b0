"""Designating liaison bodies and persons. A new designation of a role replaces the current one from
its first day (the old one ends the day before), so the history has no gaps and no overlaps."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.accounts.models import User
from oversight.audit import services as audit
from oversight.db import db
from oversight.errors import NotAllowed, ValidationFailed
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import in_subtree, institution_of
from oversight.workdays import today
from ..permissions import INSTITUTION_KINDS
from . import permissions
from .models import ContactRole, LiaisonDesignation

DAY = dt.timedelta(days=1)


def designate(*, actor, institution: Organisation, body: Organisation | None, person: User | None,
              contact_role: ContactRole, valid_from: dt.date | None, valid_to: dt.date | None = None,
              phone: str = "", email: str = "", note: str = "") -> LiaisonDesignation:
    if institution is None or institution.kind not in INSTITUTION_KINDS:
        raise ValidationFailed(_("联络机构须属于人大常委会或人民检察院。"), field="institution")
    if actor is not None and not permissions.can_designate(actor, institution):
        raise NotAllowed(_("您只能为本单位指定联络机构和联络人。"))
    errors = {}
    if body is None or not in_subtree(body, institution) or institution_of(body).id != institution.id:
        errors["body"] = _("联络机构须为本单位或本单位的内设机构。")
    if person is None or not person.active or institution_of(person.organisation).id != institution.id:
        errors["person"] = _("联络人须为本单位在职人员。")
    if valid_from is None:
        errors["valid_from"] = _("请填写起始日期。")
    elif actor is not None and valid_from < today():
        # A back-dated start would silently end the current designation in the past.
        errors["valid_from"] = _("起始日期不能早于今天。")
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("截止日期不能早于起始日期。")
    if errors:
        raise ValidationFailed(errors)
    replaced = list(db.session.scalars(
        sa.select(LiaisonDesignation).where(
            LiaisonDesignation.institution_id == institution.id, LiaisonDesignation.contact_role == contact_role,
            sa.or_(LiaisonDesignation.valid_to.is_(None), LiaisonDesignation.valid_to >= valid_from))))
    for old in replaced:
        if old.valid_from >= valid_from:
            raise ValidationFailed(_("该联络人角色在 %(d)s 已有指定，新指定的起始日期须晚于它。",
                                     d=old.valid_from.isoformat()), field="valid_from")
        old.valid_to = valid_from - DAY
        old.ended_by = actor
        audit.record("liaison.designation.end", actor=actor, obj=old,
                     summary={"person": old.person.display_name, "valid_to": old.valid_to.isoformat()})
    row = LiaisonDesignation(institution=institution, body=body, person=person, contact_role=contact_role,
                             valid_from=valid_from, valid_to=valid_to, phone=(phone or "").strip()[:40],
                             email=(email or "").strip()[:120], note=(note or "").strip()[:300], created_by=actor)
    db.session.add(row)
    db.session.flush()
    audit.record("liaison.designation.create", actor=actor, obj=row, organisation_id=institution.id, summary={
        "institution": institution.name, "person": person.display_name, "role": contact_role.value,
        "from": valid_from.isoformat(), "to": valid_to.isoformat() if valid_to else None})
    return row


def end_designation(designation: LiaisonDesignation, *, actor, last_day: dt.date) -> LiaisonDesignation:
    if actor is not None and not permissions.can_end(actor, designation):
        raise NotAllowed(_("您不能结束这项指定。"))
    if last_day is None or last_day < designation.valid_from:
        raise ValidationFailed(_("截止日期不能早于起始日期。"), field="last_day")
    designation.valid_to = last_day
    designation.ended_by = actor
    db.session.flush()
    audit.record("liaison.designation.end", actor=actor, obj=designation,
                 summary={"person": designation.person.display_name, "valid_to": last_day.isoformat()})
    return designation
