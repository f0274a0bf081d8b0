"""The rectification figures (DOMAIN.md §8) from the issue / responsibility / rectification lists:
completion rate (signed-off items ÷ items due in the period), on-time sign-off rate and overdue rate,
overall and by responsible unit. Only items of an issued list count (a draft item is nobody's work yet).

Registered with `register_section("rectification", …)`; left out for a deputy's own scope.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _

from oversight.db import db
from oversight.orgs.models import Organisation
from oversight.orgs.queries import in_scope

from .figures import Rate, Row, Section, Table, min_sample
from .periods import Period, zone
from .scope import Scope, subtree


def item_condition(scope: Scope) -> sa.ColumnElement[bool] | None:
    """The rectification items a scope counts, or None when the scope has none (a deputy's own)."""
    from issues import permissions as ip
    from issues.models import RectificationItem, Topic

    if scope.kind == "deputy":
        return None
    conditions = [RectificationItem.issued_in.is_not(None)]
    if scope.organisation_path is not None:
        within = subtree(scope.organisation_path)
        owned = sa.select(Topic.id).where(Topic.owner_org_id.in_(within))
        conditions.append(sa.or_(RectificationItem.unit_id.in_(within), RectificationItem.topic_id.in_(owned)))
    user = scope.user
    if user is not None:
        # What the topic pages let the user see (issues.permissions.can_view_item).
        clauses = []
        if user.has_role(*ip.NPC_ROLES):
            clauses.append(RectificationItem.topic_id.in_(
                sa.select(Topic.id).where(in_scope(Topic.owner_org_id, user=user))))
        if user.has_role(*ip.UNIT_ROLES):
            clauses.append(in_scope(RectificationItem.unit_id, user=user))
        conditions.append(sa.or_(*clauses) if clauses else sa.false())
    return sa.and_(*conditions)


@dataclass
class Counts:
    due: int = 0            # due in the period
    completed: int = 0      # … of which signed off by the period's end
    signed: int = 0         # signed off in the period
    signed_on_time: int = 0  # … on or before the due date
    live: int = 0           # due before the period's end and not signed off before it began
    overdue: int = 0        # … still not signed off at the period's end


@dataclass
class RectificationFigures:
    total: Counts
    by_unit: dict[int, Counts] = field(default_factory=dict)

    def rates(self, c: Counts) -> dict[str, Rate]:
        n = min_sample()
        return {"completion": Rate(c.completed, c.due, n), "signoff": Rate(c.signed_on_time, c.signed, n),
                "overdue": Rate(c.overdue, c.live, n)}


def figures(period: Period, scope: Scope) -> RectificationFigures | None:
    from issues.models import RectificationItem

    condition = item_condition(scope)
    if condition is None:
        return None
    start, end = period.bounds()
    stmt = (sa.select(RectificationItem.unit_id, RectificationItem.due_date, RectificationItem.signed_off_at)
            .where(condition, sa.or_(RectificationItem.due_date < period.end, RectificationItem.signed_off_at >= start)))
    total, by_unit = Counts(), defaultdict(Counts)
    tz = zone()
    for unit_id, due, signed_at in db.session.execute(stmt):
        signed_day = signed_at.astimezone(tz).date() if signed_at is not None else None
        for c in (total, by_unit[unit_id]):
            if period.start <= due < period.end:
                c.due += 1
                c.completed += signed_day is not None and signed_day < period.end
            if signed_day is not None and period.start <= signed_day < period.end:
                c.signed += 1
                c.signed_on_time += signed_day <= due
            if due < period.end and (signed_day is None or signed_day >= period.start):
                c.live += 1
                c.overdue += signed_day is None or signed_day >= period.end
    return RectificationFigures(total, dict(by_unit))


def _topics(**args) -> str | None:
    return url_for("topics.index", **args) if has_request_context() else None


def rectification_section(period: Period, scope: Scope) -> Section | None:
    f = figures(period, scope)
    if f is None:
        return None
    rates = f.rates(f.total)
    overview = Table("rectification_overview", _("整改总体情况"), [_("数值"), _("分子/分母")], label_column=_("指标"))
    overview.rows = [
        Row(_("本期到期整改事项"), [f.total.due, ""], _topics(), "rect_due"),
        Row(_("整改完成率"), [rates["completion"], rates["completion"].detail], None, "rect_completion"),
        Row(_("按期销号率"), [rates["signoff"], rates["signoff"].detail], None, "rect_signoff"),
        Row(_("整改逾期率"), [rates["overdue"], rates["overdue"].detail], None, "rect_overdue_rate"),
        Row(_("期末逾期整改事项"), [f.total.overdue, ""], _topics(overdue="y"), "rect_overdue"),
    ]
    units = {o.id: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(list(f.by_unit))))}
    by_unit = Table("rectification_by_unit", _("整改按责任单位"),
                    [_("本期到期"), _("整改完成率"), _("按期销号率"), _("整改逾期率"), _("期末逾期")],
                    label_column=_("责任单位"), chart="rate")
    # In the organisation tree's order, never by a rate: small samples are not ranked.
    for unit in sorted(units.values(), key=lambda o: o.path):
        c = f.by_unit[unit.id]
        r = f.rates(c)
        by_unit.rows.append(Row(unit.name, [c.due, r["completion"], r["signoff"], r["overdue"], c.overdue],
                                _topics(unit=unit.id), "rect_completion"))
    return Section("rectification", _("整改落实"), [overview, by_unit])
