"""Administration of referral types: their deadlines and flags."""
from __future__ import annotations

from flask_babel import gettext as _

from ...accounts.permissions import can_manage_referral_types
from ...audit import services as audit
from ...db import db
from ...errors import Conflict, NotAllowed, ValidationFailed
from ...workdays import PeriodUnit
from .. import labels
from ..models import Approver, Classification, ReferralType


# Largest sensible period per unit; a type's deadlines must lie between 1 and these.
PERIOD_LIMITS = {PeriodUnit.WORKING_DAYS: 250, PeriodUnit.DAYS: 366, PeriodUnit.MONTHS: 24}
TYPE_FIELDS = frozenset({
    "name", "description", "legal_basis", "ack_amount", "ack_unit", "return_window_days", "procedural_amount",
    "procedural_unit", "result_amount", "result_unit", "cap_months", "extension_approver", "max_extensions",
    "evaluated", "evaluation_window_days", "dissatisfied_reopens", "max_rehandling_rounds", "rehandling_amount",
    "rehandling_unit", "case_related", "roll_weekends", "default_classification", "active"})


def update_type(rtype: ReferralType, *, actor, expected_version: int, **fields) -> ReferralType:
    """Change a type's deadlines and flags. Referrals already sent keep the dates they were given;
    their deadline pages show where today's rules would give another date."""
    if actor is not None and not can_manage_referral_types(actor):
        raise NotAllowed(_("只有系统管理员可以修改事项类型。"))
    unknown = set(fields) - TYPE_FIELDS
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if rtype.version != expected_version:
        raise Conflict(_("该事项类型已被他人修改，请刷新后重试。"))
    new = {name: fields.get(name, getattr(rtype, name)) for name in TYPE_FIELDS}
    errors = {}
    name = (new["name"] or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("请填写名称（不超过 60 个字符）。")
    if len(new["legal_basis"] or "") > 300:
        errors["legal_basis"] = _("依据不能超过 300 个字符。")
    for amount, unit_ in (("ack_amount", "ack_unit"), ("procedural_amount", "procedural_unit"),
                          ("result_amount", "result_unit"), ("rehandling_amount", "rehandling_unit")):
        value, limit = new[amount], PERIOD_LIMITS[PeriodUnit(new[unit_])]
        if value is None and amount == "procedural_amount":
            continue
        if value is None or not 1 <= value <= limit:
            errors[amount] = _("须为 1 至 %(p)s。", p=labels.period(limit, PeriodUnit(new[unit_])))
    for field, low, high in (("return_window_days", 1, 60), ("evaluation_window_days", 1, 60),
                             ("max_extensions", 0, 5), ("max_rehandling_rounds", 0, 5), ("cap_months", 1, 24)):
        value = new[field]
        if value is None and field == "cap_months":
            continue
        if value is None or not low <= value <= high:
            errors[field] = _("须在 %(a)d 至 %(b)d 之间。", a=low, b=high)
    if ("cap_months" not in errors and "result_amount" not in errors and new["cap_months"]
            and PeriodUnit(new["result_unit"]) is PeriodUnit.MONTHS and new["result_amount"] > new["cap_months"]):
        errors["cap_months"] = _("最长办理期限不能短于办理期限。")
    if errors:
        raise ValidationFailed(errors)
    new.update(name=name, description=(new["description"] or "").strip(), legal_basis=(new["legal_basis"] or "").strip(),
               ack_unit=PeriodUnit(new["ack_unit"]), procedural_unit=PeriodUnit(new["procedural_unit"]),
               result_unit=PeriodUnit(new["result_unit"]), rehandling_unit=PeriodUnit(new["rehandling_unit"]),
               extension_approver=Approver(new["extension_approver"]),
               default_classification=Classification(new["default_classification"]))
    changes = {k: [getattr(rtype, k), v] for k, v in sorted(new.items()) if getattr(rtype, k) != v}
    for key, (_old, value) in changes.items():
        setattr(rtype, key, value)
    if changes:
        db.session.flush()
        audit.record("referral_type.update", actor=actor, obj=rtype, summary={"code": rtype.code, "changes": changes})
    return rtype
