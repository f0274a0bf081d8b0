"""The report definitions: each is a template plus a data function over one period.

Weekly progress digest (每周进度), monthly and quarterly statistical reports, and the annual report on
the coordination of oversight. Every report covers one institution and the institutions below it
(the run's organisation); its figures come from the one statistics service.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from oversight.db import db
from oversight.orgs.models import Organisation
from oversight.referrals.models import Classification, Referral
from oversight.referrals.workflow import OPEN_STATES

from .statistics import DEFINITIONS, Period, PeriodKind, Scope, compute
from .statistics.figures import sample_note


@dataclass(frozen=True)
class OverdueItem:
    serial: str
    title: str                    # empty for sensitive and case-related items: serial and unit only
    receiver: str
    current_due: object


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: object                 # lazy string
    kind: PeriodKind
    template: str
    data: Callable[[Period, Organisation], dict]
    default_cron: str             # minute hour day month weekday, Asia/Shanghai


def periodic_data(period: Period, organisation: Organisation) -> dict:
    """Every statistics section for the period over `organisation`'s subtree, and the published
    definitions. Plain values only: the caller may end its database transaction before rendering
    (charts are drawn by `rendering`)."""
    stats = compute(period, Scope.for_organisation(organisation))
    definitions = [(str(label), str(text)) for label, text in DEFINITIONS.values()]
    return {"stats": stats, "definitions": definitions, "note": sample_note()}


def _title_shown(referral: Referral) -> bool:
    return referral.classification is not Classification.SENSITIVE and not referral.type.case_related


def weekly_data(period: Period, organisation: Organisation) -> dict:
    """The periodic figures plus the open items of the organisation's subtree overdue at the week's end
    (the 50 longest overdue). Sensitive and case-related items show their serial and unit, not their title."""
    data = periodic_data(period, organisation)
    scope = Scope.for_organisation(organisation)
    stmt = (sa.select(Referral)
            .where(scope.condition, Referral.state.in_(sorted(OPEN_STATES)), Referral.current_due.is_not(None),
                   Referral.current_due < period.end, Referral.sent_at.is_not(None))
            .order_by(Referral.current_due, Referral.id).limit(50))
    data["overdue_items"] = [OverdueItem(r.serial or "", r.title if _title_shown(r) else "", r.receiver_org.name,
                                         r.current_due) for r in db.session.scalars(stmt)]
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
