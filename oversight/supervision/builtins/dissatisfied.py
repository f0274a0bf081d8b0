"""Repeated 不满意: one receiving unit, or one referral type, rated dissatisfied again and again."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ...referrals.models import Referral, ReferralEvent, ReferralType
from ...referrals.workflow import Action, Evaluation, State
from ..registry import Evidence, Hit, Param, register
from ..workflow import Severity
from ._common import Scopes, days_before, org_names, referral_evidence


@register("repeated_dissatisfaction", name=_l("反复不满意预警"),
          purpose=_l("同一承办单位或同一事项类型在期间内多次被评价为“不满意”，提示办理质量问题。"),
          legal_basis=_l("《各级人民代表大会常务委员会监督法》第九条；《人民检察院组织法》第二十一条。"),
          params=[Param("min_count", _l("不满意次数下限"), 3, 2, 50),
                  Param("window_days", _l("统计天数"), 180, 30, 1095)],
          cron="0 3 * * *")
def repeated_dissatisfaction(ctx, params, period) -> list[Hit]:
    start, end = days_before(period.as_of, params["window_days"]), period.end()
    # A dissatisfied evaluation reopens (to in_progress), or closes after the last round with the
    # referral's evaluation left at 不满意.
    ev = ReferralEvent
    rows = ctx.session.execute(
        sa.select(ev.referral_id, Referral.receiver_org_id, Referral.type_id, Referral.sender_org_id)
        .join(Referral, Referral.id == ev.referral_id)
        .where(ev.action == Action.EVALUATE.value, ev.at >= start, ev.at < end,
               sa.or_(ev.to_state == State.IN_PROGRESS.value,
                      sa.and_(ev.to_state == State.CLOSED.value, Referral.evaluation == Evaluation.DISSATISFIED)))
    ).all()
    scopes = Scopes(ctx.session)
    by_unit, by_type = defaultdict(list), defaultdict(list)
    unit_scope, type_scope = defaultdict(set), defaultdict(set)
    for referral_id, unit_id, type_id, sender_id in rows:
        by_unit[unit_id].append(referral_id)
        by_type[type_id].append(referral_id)
        committee = scopes.of_referral(sender_id, unit_id)
        unit_scope[unit_id].add(committee)
        type_scope[type_id].add(committee)
    hits = []
    names = org_names(ctx.session, by_unit)
    types = dict(ctx.session.execute(sa.select(ReferralType.id, ReferralType.name)).all())
    limit = params["min_count"]
    for unit_id, ids in sorted(by_unit.items()):
        if len(ids) >= limit:
            # The unit's paired committee, and above it if NPC senders of other levels rated it.
            hits.append(scopes.scope(Hit(f"unit:{unit_id}", _("%(u)s %(d)d 天内 %(n)d 次被评价为不满意", u=names.get(unit_id, unit_id),
                                                d=params["window_days"], n=len(ids)),
                            [Evidence("organisation", unit_id, names.get(unit_id, ""))]
                            + referral_evidence(ctx.session, ids),
                            Severity.HIGH if len(ids) >= 2 * limit else Severity.MEDIUM),
                                     unit_scope[unit_id] | {scopes.committee(unit_id)}))
    for type_id, ids in sorted(by_type.items()):
        if len(ids) >= limit:
            hits.append(scopes.scope(Hit(f"type:{type_id}", _("“%(t)s”类事项 %(d)d 天内 %(n)d 次被评价为不满意",
                                                t=types.get(type_id, type_id), d=params["window_days"], n=len(ids)),
                            referral_evidence(ctx.session, ids),
                            Severity.HIGH if len(ids) >= 2 * limit else Severity.MEDIUM), type_scope[type_id]))
    return hits
