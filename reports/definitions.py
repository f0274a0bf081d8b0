"""The report definitions: each is a template plus a data function over one period.

Weekly progress digest (每周进度), monthly and quarterly statistical reports, and the annual report on
the coordination of oversight. Every report covers the whole deployment (the top standing
committee's view); its figures come from the one statistics service.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from oversight.db import db
from oversight.referrals.models import Referral
from oversight.referrals.workflow import OPEN_STATES

from .statistics import DEFINITIONS, Period, PeriodKind, Scope, compute
from .statistics.figures import sample_note


@dataclass(frozen=True)
class OverdueItem:
    serial: str
    title: str
    receiver: str
    current_due: object


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: object                 # lazy string
    kind: PeriodKind
    template: str
    data: Callable[[Period], dict]
    default_cron: str             # minute hour day month weekday, Asia/Shanghai


def periodic_data(period: Period) -> dict:
    """Every statistics section for the period, and the published definitions. Plain values only: the
    caller may end its database transaction before rendering (charts are drawn by `rendering`)."""
    stats = compute(period, Scope.everything(_("全市")))
    definitions = [(str(label), str(text)) for label, text in DEFINITIONS.values()]
    return {"stats": stats, "definitions": definitions, "note": sample_note()}


def weekly_data(period: Period) -> dict:
    """The periodic figures plus the open items overdue at the week's end (the 50 longest overdue)."""
    data = periodic_data(period)
    stmt = (sa.select(Referral).where(Referral.state.in_(sorted(OPEN_STATES)), Referral.current_due.is_not(None),
                                      Referral.current_due < period.end, Referral.sent_at.is_not(None))
            .order_by(Referral.current_due, Referral.id).limit(50))
    data["overdue_items"] = [OverdueItem(r.serial or "", r.title, r.receiver_org.name, r.current_due)
                             for r in db.session.scalars(stmt)]
    return data


REPORTS: dict[str, ReportDefinition] = {d.key: d for d in (
    ReportDefinition("weekly_digest", _l("每周进度"), PeriodKind.WEEK, "reports/pdf/report.html", weekly_data,
                     "0 8 * * mon"),
    ReportDefinition("monthly", _l("月度统计报告"), PeriodKind.MONTH, "reports/pdf/report.html", periodic_data,
                     "0 7 1 * *"),
    ReportDefinition("quarterly", _l("季度统计报告"), PeriodKind.QUARTER, "reports/pdf/report.html", periodic_data,
                     "0 7 1 1,4,7,10 *"),
    ReportDefinition("annual", _l("监督衔接工作年度报告"), PeriodKind.YEAR, "reports/pdf/report.html", periodic_data,
                     "0 7 2 1 *"),
)}


def get(key: str) -> ReportDefinition:
    from oversight.errors import ValidationFailed

    try:
        return REPORTS[key]
    except KeyError:
        raise ValidationFailed(_("没有名为“%(k)s”的报告。", k=key), field="report") from None
