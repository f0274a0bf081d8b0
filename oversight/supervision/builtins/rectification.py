"""Rectification items past due with no progress report for a month: grouped by responsible unit."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ..registry import Evidence, Hit, Param, register
from ..workflow import Severity
from ._common import Scopes, days_before, org_names, table


@register("stalled_rectification", name=_l("整改停滞预警"),
          purpose=_l("整改事项已过整改期限且连续一段时间没有进展报告，提示整改可能流于形式。"),
          legal_basis=_l("《各级人民代表大会常务委员会监督法》第十四条、第二十七条（跟踪监督）。"),
          params=[Param("quiet_days", _l("无进展报告天数"), 30, 7, 365),
                  Param("min_items", _l("同一单位事项数下限"), 1, 1, 100)],
          cron="20 3 * * *", needs_tables=("rectification_items",))
def stalled_rectification(ctx, params, period) -> list[Hit]:
    items, reports, topics = table("rectification_items"), table("progress_reports"), table("topics")
    quiet_since = days_before(period.as_of, params["quiet_days"])
    last_report = (sa.select(sa.func.max(reports.c.reported_at)).where(reports.c.item_id == items.c.id,
                                                                        reports.c.reported_at < period.end())
                   .scalar_subquery())
    rows = ctx.session.execute(
        sa.select(items.c.id, items.c.unit_id, items.c.measures, items.c.due_date, topics.c.lead_body_id)
        .join(topics, topics.c.id == items.c.topic_id)
        .where(items.c.state.in_(["pending", "in_progress"]), items.c.issued_in.is_not(None),
               items.c.due_date < period.as_of,
               sa.or_(last_report.is_(None), last_report < quiet_since))
        .order_by(items.c.unit_id, items.c.due_date, items.c.id)
    ).all()
    by_unit = defaultdict(list)
    for row in rows:
        by_unit[row.unit_id].append(row)
    names = org_names(ctx.session, by_unit)
    scopes = Scopes(ctx.session)
    hits = []
    for unit_id, unit_items in sorted(by_unit.items()):
        if len(unit_items) < params["min_items"]:
            continue
        worst = (period.as_of - min(r.due_date for r in unit_items)).days
        # The committee of each item's topic lead body (a unit may answer topics of several committees).
        hits.append(scopes.scope(Hit(f"unit:{unit_id}",
                        _("%(u)s 有 %(n)d 项整改逾期且 %(d)d 天无进展报告", u=names.get(unit_id, unit_id),
                          n=len(unit_items), d=params["quiet_days"]),
                        [Evidence("organisation", unit_id, names.get(unit_id, ""))]
                        + [Evidence("rectification_item", r.id, f"{r.measures[:60]}（{r.due_date.isoformat()}）")
                           for r in unit_items[:50]],
                        Severity.HIGH if worst > 90 else Severity.MEDIUM,
                        _("最久已逾期 %(d)d 天。", d=worst)),
                                 {scopes.committee(r.lead_body_id) for r in unit_items}))
    return hits

