"""The meeting and action-item figures (liaison): meetings held of those due to be held in the period,
by kind; action items completed of those due in the period, completed on time, and overdue at the
period's end, overall and by the owning organisation.

Registered with `register_section("meetings", …)`; left out for a deputy's own scope.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context, url_for
from flask_babel import gettext as _

from oversight.db import db, utcnow
from oversight.orgs.models import Organisation
from oversight.orgs.queries import in_scope

from .figures import Rate, Row, Section, Table, min_sample
from .periods import Period, zone
from .scope import Scope, subtree


def meeting_condition(scope: Scope) -> sa.ColumnElement[bool] | None:
    from liaison.meetings.models import Meeting
    from liaison.meetings.queries import visible

    if scope.kind == "deputy":
        return None
    conditions = []
    if scope.organisation_path is not None:
        within = subtree(scope.organisation_path)
        conditions.append(sa.or_(Meeting.organiser_org_id.in_(within), Meeting.counterpart_org_id.in_(within)))
    if scope.user is not None:
        conditions.append(visible(scope.user))
    return sa.and_(*conditions) if conditions else sa.true()


def item_condition(scope: Scope) -> sa.ColumnElement[bool] | None:
    """Action items of the meetings in scope, or owned by an organisation in scope."""
    from liaison.meetings.models import Meeting
    from liaison.minutes.models import ActionItem

    meetings = meeting_condition(scope)
    if meetings is None:
        return None
    of_meetings = ActionItem.meeting_id.in_(sa.select(Meeting.id).where(meetings))
    if scope.organisation_path is not None:
        owned = ActionItem.owner_org_id.in_(subtree(scope.organisation_path))
        if scope.user is not None:
            owned = sa.and_(owned, in_scope(ActionItem.owner_org_id, user=scope.user))
        return sa.or_(of_meetings, owned)
    if scope.user is not None:
        return sa.or_(of_meetings, in_scope(ActionItem.owner_org_id, user=scope.user),
                      ActionItem.owner_id == scope.user.id)
    return of_meetings


@dataclass
class ItemCounts:
    due: int = 0             # due in the period (not dropped before its end)
    completed: int = 0       # … of which done by the period's end
    done: int = 0            # done in the period
    done_on_time: int = 0    # … on or before the due date
    overdue: int = 0         # open at the period's end and due before it


@dataclass
class MeetingFigures:
    by_kind: dict[str, Counter]    # kind → Counter of state, for meetings starting in the period
    planned: int                   # starting in the period, by now, not cancelled
    held: int
    items: ItemCounts
    items_by_org: dict[int, ItemCounts]


def figures(period: Period, scope: Scope) -> MeetingFigures | None:
    from liaison.meetings.models import Meeting
    from liaison.meetings.workflow import State
    from liaison.minutes.models import ActionItem
    from liaison.minutes.workflow import ItemState

    meetings, items = meeting_condition(scope), item_condition(scope)
    if meetings is None or items is None:
        return None
    start, end = period.bounds()
    cutoff = min(end, utcnow())
    by_kind: dict[str, Counter] = defaultdict(Counter)
    planned = held = 0
    for kind, state, starts_at in db.session.execute(
            sa.select(Meeting.kind, Meeting.state, Meeting.starts_at)
            .where(meetings, Meeting.starts_at >= start, Meeting.starts_at < end)):
        by_kind[str(kind.value if hasattr(kind, "value") else kind)][State(state)] += 1
        if State(state) is not State.CANCELLED and starts_at < cutoff:
            planned += 1
            held += State(state) is State.HELD
    total, by_org = ItemCounts(), defaultdict(ItemCounts)
    tz = zone()
    stmt = (sa.select(ActionItem.owner_org_id, ActionItem.due_on, ActionItem.state, ActionItem.closed_at)
            .where(items, sa.or_(ActionItem.due_on < period.end, ActionItem.closed_at >= start)))
    for org_id, due, state, closed_at in db.session.execute(stmt):
        state = ItemState(state)
        closed = closed_at.astimezone(tz).date() if closed_at is not None else None
        dropped_before_end = state is ItemState.DROPPED and closed is not None and closed < period.end
        done_day = closed if state is ItemState.DONE else None
        for c in (total, by_org[org_id]):
            if period.start <= due < period.end and not dropped_before_end:
                c.due += 1
                c.completed += done_day is not None and done_day < period.end
            if done_day is not None and period.start <= done_day < period.end:
                c.done += 1
                c.done_on_time += done_day <= due
            if due < period.end and not dropped_before_end and (done_day is None or done_day >= period.end):
                c.overdue += 1
    return MeetingFigures(dict(by_kind), planned, held, total, dict(by_org))


def _items_link() -> str | None:
    return url_for("liaison_minutes.items") if has_request_context() else None


def meeting_section(period: Period, scope: Scope) -> Section | None:
    from liaison import labels
    from liaison.meetings.workflow import MeetingKind, State

    f = figures(period, scope)
    if f is None:
        return None
    n = min_sample()
    held_rate = Rate(f.held, f.planned, n)
    completion = Rate(f.items.completed, f.items.due, n)
    on_time = Rate(f.items.done_on_time, f.items.done, n)
    overview = Table("meetings_overview", _("会议与待办总体情况"), [_("数值"), _("分子/分母")], label_column=_("指标"))
    overview.rows = [
        Row(_("本期会议次数"), [sum(sum(c.values()) for c in f.by_kind.values()), ""], None, "meetings_count"),
        Row(_("会议召开率"), [held_rate, held_rate.detail], None, "meetings_held"),
        Row(_("本期到期待办事项"), [f.items.due, ""], _items_link(), "action_due"),
        Row(_("待办完成率"), [completion, completion.detail], None, "action_completion"),
        Row(_("待办按期完成率"), [on_time, on_time.detail], None, "action_on_time"),
        Row(_("期末逾期待办事项"), [f.items.overdue, ""], _items_link(), "action_overdue"),
    ]
    by_kind = Table("meetings_by_kind", _("会议按类型"), [_("会议次数"), _("已召开"), _("已取消")],
                    label_column=_("会议类型"), chart="bar")
    by_kind.rows = [Row(labels.label(k), [sum(f.by_kind[k.value].values()), f.by_kind[k.value][State.HELD],
                                                 f.by_kind[k.value][State.CANCELLED]], None, "meetings_count")
                    for k in MeetingKind if k.value in f.by_kind]
    orgs = {o.id: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(list(f.items_by_org))))}
    by_org = Table("action_items_by_organisation", _("待办按承办单位"),
                   [_("本期到期"), _("待办完成率"), _("期末逾期")], label_column=_("承办单位"), chart="rate")
    for org in sorted(orgs.values(), key=lambda o: o.path):
        c = f.items_by_org[org.id]
        by_org.rows.append(Row(org.name, [c.due, Rate(c.completed, c.due, n), c.overdue], None, "action_completion"))
    return Section("meetings", _("联络会议与待办事项"), [overview, by_kind, by_org])
