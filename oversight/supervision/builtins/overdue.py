"""Overdue clusters: many open referrals past due at one receiving unit for one type."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ...referrals.models import Referral, ReferralType
from ...referrals.workflow import OPEN_STATES, State
from ..registry import Evidence, Hit, Param, register
from ..workflow import Severity
from ._common import Scopes, org_names, referral_evidence


@register("overdue_cluster", name=_l("逾期集中预警"),
          purpose=_l("同一承办单位同一类型事项逾期未办结数量达到阈值，提示办理力量或机制问题。"),
          legal_basis=_l("《各级人民代表大会常务委员会监督法》第九条、第三十五条。"),
          params=[Param("min_count", _l("逾期事项数下限"), 5, 2, 500),
                  Param("grace_days", _l("逾期超过天数"), 0, 0, 90)],
          cron="10 3 * * *")
def overdue_cluster(ctx, params, period) -> list[Hit]:
    import datetime as dt

    cutoff = period.as_of - dt.timedelta(days=params["grace_days"])
    open_states = [s.value for s in OPEN_STATES if s is not State.DRAFT]
    rows = ctx.session.execute(
        sa.select(Referral.receiver_org_id, Referral.type_id, sa.func.count(), sa.func.min(Referral.current_due))
        .where(Referral.state.in_(open_states), Referral.current_due < cutoff)
        .group_by(Referral.receiver_org_id, Referral.type_id)
        .having(sa.func.count() >= params["min_count"])
    ).all()
    names = org_names(ctx.session, [r[0] for r in rows])
    types = dict(ctx.session.execute(sa.select(ReferralType.id, ReferralType.name)).all())
    scopes = Scopes(ctx.session)
    hits = []
    for unit_id, type_id, count, oldest in rows:
        ids = ctx.session.scalars(
            sa.select(Referral.id).where(Referral.receiver_org_id == unit_id, Referral.type_id == type_id,
                                         Referral.state.in_(open_states), Referral.current_due < cutoff)
            .order_by(Referral.current_due, Referral.id).limit(50)).all()
        # The unit's paired committee, widened to the NPC senders' common committee (all of the cluster).
        senders = ctx.session.scalars(
            sa.select(Referral.sender_org_id).where(Referral.receiver_org_id == unit_id, Referral.type_id == type_id,
                                                    Referral.state.in_(open_states), Referral.current_due < cutoff)
            .distinct()).all()
        committees = {scopes.committee(unit_id)} | {scopes.of_referral(s, unit_id) for s in senders}
        hits.append(scopes.scope(Hit(f"unit:{unit_id}:type:{type_id}",
                        _("%(u)s 有 %(n)d 件“%(t)s”逾期未办结（最早应于 %(d)s 完成）", u=names.get(unit_id, unit_id),
                          n=count, t=types.get(type_id, type_id), d=oldest.isoformat()),
                        [Evidence("organisation", unit_id, names.get(unit_id, ""))] + referral_evidence(ctx.session, ids),
                        Severity.HIGH if count >= 3 * params["min_count"] else Severity.MEDIUM), committees))
    return sorted(hits, key=lambda h: h.key)
