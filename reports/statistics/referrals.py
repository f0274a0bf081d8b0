"""The referral figures (DOMAIN.md §8): counts by direction, type, state and receiving organisation;
on-time rates for acknowledgement, procedural reply and result; working days per step; evaluation.

Rows are read once per (period, scope) — only the columns the figures need, only the items that can
count in the period — and the figures are computed from them in Python, because working days need
the holiday calendar, which SQL does not have.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from oversight.db import db
from oversight.orgs.models import Organisation
from oversight.referrals import labels
from oversight.referrals.models import Referral, ReferralType
from oversight.referrals.workflow import OPEN_STATES, Direction, Evaluation, State
from oversight.workdays import current_calendar, today

from .figures import Duration, Rate, Row, Section, Table, min_sample
from .periods import Period, zone
from .scope import Scope

COLUMNS = ("id", "direction", "type_id", "state", "round", "receiver_org_id", "sent_at", "acknowledged_at",
           "accepted_at", "replied_at", "evaluated_at", "evaluation", "ack_due", "procedural_due", "result_due")
EVALUATED = (Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED, Evaluation.DISSATISFIED)
NOT_OVERDUE_STATES = (State.WITHDRAWN, State.RETURNED)
# Steps: (key, label, from-column, to-column).
STEPS = (("ack", _l("签收"), "sent_at", "acknowledged_at"), ("accept", _l("受理"), "acknowledged_at", "accepted_at"),
         ("handle", _l("办理"), "accepted_at", "replied_at"), ("total", _l("全程（发出至答复）"), "sent_at", "replied_at"))


def rows_for(period: Period, scope: Scope) -> list:
    """The items that can count in `period`: sent before its end and either touched during it or open."""
    start, end = period.bounds()
    touched = [getattr(Referral, c) >= start for c in ("sent_at", "acknowledged_at", "accepted_at", "replied_at",
                                                       "evaluated_at")]
    stmt = (sa.select(*[getattr(Referral, c) for c in COLUMNS])
            .where(scope.condition, Referral.sent_at.is_not(None), Referral.sent_at < end,
                   sa.or_(*touched, Referral.state.in_(sorted(OPEN_STATES))))
            .order_by(Referral.id))
    return list(db.session.execute(stmt))


@dataclass
class ReferralFigures:
    """The figures as numbers — what tests compare and what the tables show."""

    sent: int
    by_direction: dict[Direction, int]
    by_type: dict[int, int]
    by_state: dict[State, int]
    by_receiver: dict[int, int]
    on_time: dict[str, Rate]                   # ack / procedural / result
    on_time_by_receiver: dict[int, dict[str, Rate]]
    overdue: int
    overdue_by_receiver: dict[int, int]
    steps: dict[str, Duration]
    evaluations: dict[Evaluation, int]
    satisfaction: Rate
    satisfied_only: Rate
    rehandling: Rate


class WorkingDays:
    """`working_days_between` for many pairs: one walk of the calendar over the span they need, then
    a prefix sum (the calendar's per-day lookup is too slow for thousands of items)."""

    def __init__(self, pairs: list[tuple[dt.date, dt.date]]):
        self.first = min((a for a, _b in pairs), default=dt.date.today())
        last = max((b for _a, b in pairs), default=self.first)
        cal = current_calendar()
        self.prefix, total = [0], 0
        for k in range(1, (last - self.first).days + 1):
            total += cal.is_working_day(self.first + dt.timedelta(days=k))
            self.prefix.append(total)

    def between(self, start: dt.date, end: dt.date) -> int:
        return self.prefix[(end - self.first).days] - self.prefix[(start - self.first).days]


def in_period(moment: dt.datetime | None, period: Period) -> bool:
    if moment is None:
        return False
    start, end = period.bounds()
    return start <= moment < end


def local(moment: dt.datetime) -> dt.date:
    return moment.astimezone(zone()).date()


def figures(period: Period, scope: Scope) -> ReferralFigures:
    rows = rows_for(period, scope)
    n = min_sample()
    _start, end = period.bounds()
    sent = [r for r in rows if in_period(r.sent_at, period)]
    on_time_counts: dict[str, list[int]] = {k: [0, 0] for k in ("ack", "procedural", "result")}
    per_org: dict[int, dict[str, list[int]]] = defaultdict(lambda: {k: [0, 0] for k in on_time_counts})
    checks = (("ack", "acknowledged_at", "ack_due"), ("procedural", "accepted_at", "procedural_due"),
              ("result", "replied_at", "result_due"))
    overdue_by: Counter[int] = Counter()
    spans: dict[str, list[tuple[dt.date, dt.date]]] = {step[0]: [] for step in STEPS}
    for r in rows:
        for key, done_col, due_col in checks:
            done, due = getattr(r, done_col), getattr(r, due_col)
            if due is None or not in_period(done, period):
                continue
            hit = int(local(done) <= due)
            for bucket in (on_time_counts[key], per_org[r.receiver_org_id][key]):
                bucket[0] += hit
                bucket[1] += 1
        for key, _label, a, b in STEPS:
            began, finished = getattr(r, a), getattr(r, b)
            if began is not None and in_period(finished, period) and finished >= began:
                spans[key].append((local(began), local(finished)))
        if _overdue_at_end(r, end, period):
            overdue_by[r.receiver_org_id] += 1
    calendar = WorkingDays([pair for pairs in spans.values() for pair in pairs])
    days = {key: [calendar.between(a, b) for a, b in pairs] for key, pairs in spans.items()}
    evaluated = [r for r in rows if in_period(r.evaluated_at, period) and r.evaluation in EVALUATED]
    evals = Counter(Evaluation(r.evaluation) for r in rows
                    if in_period(r.evaluated_at, period) and r.evaluation is not None)
    good = evals[Evaluation.SATISFIED] + evals[Evaluation.BASICALLY_SATISFIED]
    return ReferralFigures(
        sent=len(sent),
        by_direction=Counter(Direction(r.direction) for r in sent),
        by_type=Counter(r.type_id for r in sent),
        by_state=Counter(State(r.state) for r in sent),
        by_receiver=Counter(r.receiver_org_id for r in sent),
        on_time={k: Rate(v[0], v[1], n) for k, v in on_time_counts.items()},
        on_time_by_receiver={org: {k: Rate(v[0], v[1], n) for k, v in d.items()} for org, d in per_org.items()},
        overdue=sum(overdue_by.values()),
        overdue_by_receiver=dict(overdue_by),
        steps={k: Duration(tuple(v), n) for k, v in days.items()},
        evaluations=evals,
        satisfaction=Rate(good, len(evaluated), n),
        satisfied_only=Rate(evals[Evaluation.SATISFIED], len(evaluated), n),
        rehandling=Rate(sum(1 for r in evaluated if r.round > 1), len(evaluated), n),
    )


def _overdue_at_end(r, end: dt.datetime, period: Period) -> bool:
    if r.state in NOT_OVERDUE_STATES:
        return False
    steps = [("acknowledged_at", "ack_due")]
    if r.direction == Direction.NPC_TO_PROCURATORATE:
        steps.append(("replied_at", "result_due"))
    return any(getattr(r, due) is not None and getattr(r, due) < period.end
               and (getattr(r, done) is None or getattr(r, done) >= end) for done, due in steps)


# --- as tables ----------------------------------------------------------------------------------

def _search(scope: Scope, period: Period, **filters) -> str | None:
    """The referral search filtered to a figure's rows: the scope, the period's days (sent in them)
    and the row's own filters (type, state, direction, receiving organisation)."""
    if not has_request_context():
        return None
    args = dict(scope.search_args)
    args.update({k: v for k, v in filters.items() if v is not None})
    if "due" not in filters:  # "overdue now" is today's state, not a count of items sent in the period
        args.update(sent_from=period.start.isoformat(), sent_to=period.last_day.isoformat())
    return url_for("referrals.search", **args)


def referral_section(period: Period, scope: Scope) -> Section:
    f = figures(period, scope)
    types = {t.id: t.name for t in db.session.scalars(sa.select(ReferralType))}
    org_ids = set(f.by_receiver) | set(f.on_time_by_receiver) | set(f.overdue_by_receiver)
    orgs = {o.id: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(org_ids)))}
    overview = Table("overview", _("总体情况"), [_("数值"), _("分子/分母")], label_column=_("指标"))
    overview.rows = [
        Row(_("移送/报送件数"), [f.sent, ""], _search(scope, period), "count_sent"),
        Row(_("签收及时率"), [f.on_time["ack"], f.on_time["ack"].detail], None, "on_time_ack"),
        Row(_("程序性答复及时率"), [f.on_time["procedural"], f.on_time["procedural"].detail], None, "on_time_procedural"),
        Row(_("答复及时率"), [f.on_time["result"], f.on_time["result"].detail], None, "on_time_result"),
        Row(_("满意率"), [f.satisfaction, f.satisfaction.detail], None, "satisfaction"),
        Row(_("满意（单列）"), [f.satisfied_only, f.satisfied_only.detail], None, "satisfied_only"),
        Row(_("重新办理率"), [f.rehandling, f.rehandling.detail], None, "rehandling"),
        # Only the current period's overdue items are today's overdue list.
        Row(_("期末逾期件数"), [f.overdue, ""],
            _search(scope, period, due="overdue") if period.end > today() else None, "overdue"),
    ]
    by_direction = Table("by_direction", _("按方向"), [_("件数")], label_column=_("方向"), chart="bar")
    by_direction.rows = [Row(labels.direction(d), [f.by_direction.get(d, 0)],
                             _search(scope, period, direction=d.value), "count_sent") for d in Direction]
    by_type = Table("by_type", _("按类型"), [_("件数")], label_column=_("类型"), chart="bar")
    by_type.rows = [Row(types.get(t, str(t)), [c], _search(scope, period, type=t), "count_sent")
                    for t, c in sorted(f.by_type.items(), key=lambda kv: types.get(kv[0], ""))]
    by_state = Table("by_state", _("按当前状态"), [_("件数")], label_column=_("状态"), chart="bar")
    by_state.rows = [Row(labels.state(s), [f.by_state[s]], _search(scope, period, state=s.value), "count_state")
                     for s in State if f.by_state.get(s)]
    by_org = Table("by_organisation", _("按接收单位"),
                   [_("收到件数"), _("签收及时率"), _("答复及时率"), _("期末逾期件数")], label_column=_("单位"), chart="rate")
    empty = Rate(0, 0, min_sample())
    # Ordered by the organisation tree, never by a rate: figures from small samples are not ranked.
    for org in sorted(orgs.values(), key=lambda o: o.path):
        rates = f.on_time_by_receiver.get(org.id, {})
        by_org.rows.append(Row(org.name, [f.by_receiver.get(org.id, 0), rates.get("ack", empty),
                                          rates.get("result", empty), f.overdue_by_receiver.get(org.id, 0)],
                               _search(scope, period, receiver=org.id), "on_time_result"))
    steps = Table("steps", _("各环节用时（工作日）"), [_("件数"), _("平均"), _("中位数")], label_column=_("环节"))
    steps.rows = [Row(str(label), [f.steps[key].count, f.steps[key].mean, f.steps[key].median], None, "working_days")
                  for key, label, *_cols in STEPS]
    evaluation = Table("evaluation", _("评价结果"), [_("件数")], label_column=_("评价"), chart="bar")
    evaluation.rows = [Row(labels.evaluation(e), [f.evaluations.get(e, 0)], None, "evaluation_counts")
                       for e in Evaluation]
    return Section("referrals", _("移送事项"), [overview, by_direction, by_type, by_state, by_org, steps, evaluation])
