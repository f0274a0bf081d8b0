"""Procuratorate notices of weak links in social governance that no oversight topic took up in time."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ...referrals.models import Referral, ReferralType
from ...referrals.workflow import State
from ..registry import Evidence, Hit, Param, register
from ..workflow import Severity
from ._common import Scopes, days_before, table

NOTICE_TYPE = "governance_notice"


@register("unaddressed_governance_notice", name=_l("治理通报未跟进预警"),
          purpose=_l("检察机关报送的社会治理薄弱环节通报，超过期限仍未据以确定监督议题。"),
          legal_basis=_l("《人民检察院检察建议工作规定》；《各级人民代表大会常务委员会监督法》第九条（监督议题来源）。"),
          params=[Param("grace_days", _l("确定议题期限（天）"), 60, 7, 365),
                  Param("lookback_days", _l("回溯天数"), 365, 60, 1095)],
          cron="30 3 * * *", needs_tables=("topic_sources",))
def unaddressed_governance_notice(ctx, params, period) -> list[Hit]:
    sources, topics = table("topic_sources"), table("topics")
    sent = sa.func.coalesce(Referral.sent_at, Referral.created_at)
    notices = ctx.session.execute(
        sa.select(Referral.id, Referral.serial, Referral.title, sent.label("sent"), Referral.sender_org_id,
                  Referral.receiver_org_id)
        .join(ReferralType, ReferralType.id == Referral.type_id)
        .where(ReferralType.code == NOTICE_TYPE, Referral.state.not_in([State.DRAFT.value, State.WITHDRAWN.value]),
               sent >= days_before(period.as_of, params["lookback_days"]),
               sent < period.end() - dt.timedelta(days=params["grace_days"]))
        .order_by(Referral.id)
    ).all()
    if not notices:
        return []
    taken = {}
    for referral_id, opened in ctx.session.execute(
            sa.select(sources.c.referral_id, topics.c.created_at).join(topics, topics.c.id == sources.c.topic_id)
            .where(sources.c.referral_id.in_([n.id for n in notices]))):
        taken.setdefault(referral_id, []).append(opened)
    scopes = Scopes(ctx.session)
    hits = []
    for n in notices:
        # Taken up when a topic citing it was opened within the grace period (topics opened later count as late).
        deadline = n.sent + dt.timedelta(days=params["grace_days"])
        if any(opened <= deadline for opened in taken.get(n.id, [])):
            continue
        days = (period.end() - n.sent).days
        hits.append(scopes.scope(Hit(f"referral:{n.id}", _("治理通报“%(t)s”已 %(d)d 天未确定监督议题", t=n.title, d=days),
                        [Evidence("referral", n.id, f"{n.serial or ''} {n.title}".strip())],
                        Severity.HIGH if days > 2 * params["grace_days"] else Severity.MEDIUM),
                                 {scopes.of_referral(n.sender_org_id, n.receiver_org_id)}))
    return hits
