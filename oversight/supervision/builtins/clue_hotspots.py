"""Clue hotspots: a category at a place receiving clearly more clues than its own baseline."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ..registry import Evidence, Hit, Param, register
from ..workflow import Severity
from ._common import Scopes, days_before


@register("clue_hotspot", name=_l("线索热点预警"),
          purpose=_l("同一地点同一类别的线索数量明显高于其自身历史基线，提示可能存在集中性问题。"),
          legal_basis=_l("《人民检察院组织法》第二十条；《各级人民代表大会常务委员会监督法》第九条。"),
          params=[Param("window_days", _l("观察窗口（天）"), 30, 7, 180),
                  Param("baseline_windows", _l("基线窗口个数"), 6, 2, 24),
                  Param("min_count", _l("窗口内线索数下限"), 5, 2, 1000),
                  Param("ratio", _l("高于基线倍数"), 2.0, 1.2, 20.0, float)],
          cron="40 3 * * *", needs_tables=("clues",))
def clue_hotspot(ctx, params, period) -> list[Hit]:
    from ...clues.models import Clue
    from ...clues.categories import label as category_label

    window = params["window_days"]
    end = period.end()
    start = days_before(period.as_of, window)
    base_start = start - dt.timedelta(days=window * params["baseline_windows"])
    current = ctx.session.execute(
        sa.select(Clue.category, Clue.place, sa.func.count()).where(Clue.created_at >= start, Clue.created_at < end)
        .group_by(Clue.category, Clue.place).having(sa.func.count() >= params["min_count"])).all()
    if not current:
        return []
    baseline = defaultdict(int)
    for category, place, count in ctx.session.execute(
            sa.select(Clue.category, Clue.place, sa.func.count())
            .where(Clue.created_at >= base_start, Clue.created_at < start,
                   sa.tuple_(Clue.category, Clue.place).in_([(c, p) for c, p, _n in current]))
            .group_by(Clue.category, Clue.place)):
        baseline[(category, place)] = count
    scopes = Scopes(ctx.session)
    hits = []
    for category, place, count in sorted(current):
        mean = baseline[(category, place)] / params["baseline_windows"]
        if count < params["ratio"] * max(mean, 1.0):
            continue
        ids = ctx.session.scalars(sa.select(Clue.id).where(Clue.category == category, Clue.place == place,
                                                           Clue.created_at >= start, Clue.created_at < end)
                                  .order_by(Clue.id).limit(50)).all()
        receivers = ctx.session.scalars(sa.select(Clue.receiving_org_id).where(
            Clue.category == category, Clue.place == place, Clue.created_at >= start, Clue.created_at < end)
            .distinct()).all()
        label = category_label(category)
        titles = dict(ctx.session.execute(sa.select(Clue.id, Clue.title).where(Clue.id.in_(ids))).all())
        hits.append(scopes.scope(Hit(f"{category}@{place}"[:200],
                        _("%(p)s“%(c)s”类线索 %(d)d 天内 %(n)d 件，基线每窗口 %(b).1f 件", p=place, c=label, d=window,
                          n=count, b=mean),
                        [Evidence("clue", i, titles.get(i, "")) for i in ids],
                        Severity.HIGH if count >= 2 * params["ratio"] * max(mean, 1.0) else Severity.MEDIUM),
                                 {scopes.committee(r) for r in receivers}))
    return hits
