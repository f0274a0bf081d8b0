"""Read-only: the topic list (scoped, filtered, keyset-paginated), the progress roll-up, the items of a
topic in the order the page shows them, timelines, and choices for forms.

Every list starts from `visible_to(user)`, the SQL twin of `permissions.can_view`, built on the
organisations' one scoping condition (`orgs.queries.in_scope`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from oversight.db import db
from oversight.orgs.models import Organisation, OrgKind
from oversight.orgs.queries import in_scope
from oversight.referrals.deadlines import DueStatus
from oversight.referrals.queries import DueThresholds

from . import permissions
from .models import (Area, ItemEvent, ProgressReport, RectificationItem, Responsibility, Topic, TopicEvent,
                     responsibility_co_units)
from .workflow import ItemState, TopicState

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Filters:
    state: TopicState | None = None
    area: Area | None = None
    unit_id: int | None = None
    overdue_only: bool = False
    keyword: str = ""


@dataclass(frozen=True)
class Page:
    rows: list[Topic]
    more: bool
    next_cursor: str | None


def visible_to(user) -> sa.ColumnElement[bool]:
    """The topics `permissions.can_view` lets `user` see, as one SQL condition."""
    clauses = []
    if user.has_role(*permissions.NPC_ROLES):
        clauses.append(in_scope(Topic.owner_org_id, user=user))
    if user.has_role(*permissions.UNIT_ROLES):
        # Named in an issued item's responsibility (lead or co-unit) — drafts of a revision do not count.
        co_named = sa.select(responsibility_co_units.c.responsibility_id).where(
            in_scope(responsibility_co_units.c.organisation_id, user=user))
        named = sa.select(Responsibility.id).where(sa.or_(in_scope(Responsibility.lead_unit_id, user=user),
                                                          Responsibility.id.in_(co_named)))
        clauses.append(sa.and_(Topic.issued_version > 0, Topic.id.in_(
            sa.select(RectificationItem.topic_id).where(RectificationItem.issued_in.is_not(None),
                                                        RectificationItem.responsibility_id.in_(named)))))
    return sa.or_(*clauses) if clauses else sa.false()


def topics(user, f: Filters, *, after: str | None = None, limit: int = 50) -> Page:
    """Topics newest change first, keyset on (updated_at, id)."""
    stmt = _filtered(user, f).order_by(Topic.updated_at.desc(), Topic.id.desc())
    cursor = _decode(after)
    if cursor:
        stmt = stmt.where(sa.or_(Topic.updated_at < cursor[0],
                                 sa.and_(Topic.updated_at == cursor[0], Topic.id < cursor[1])))
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return Page(rows, more, f"{(last.updated_at - EPOCH) // dt.timedelta(microseconds=1)}~{last.id}" if last else None)


def for_export(user, f: Filters) -> list[Topic]:
    return list(db.session.scalars(_filtered(user, f).order_by(Topic.id)))


def _filtered(user, f: Filters) -> sa.Select:
    stmt = sa.select(Topic).where(visible_to(user))
    if f.state:
        stmt = stmt.where(Topic.state == f.state)
    if f.area:
        stmt = stmt.where(Topic.area == f.area)
    if f.unit_id:
        stmt = stmt.where(Topic.id.in_(sa.select(RectificationItem.topic_id)
                                       .where(RectificationItem.unit_id == f.unit_id)))
    if f.overdue_only:
        stmt = stmt.where(Topic.id.in_(sa.select(RectificationItem.topic_id).where(
            RectificationItem.state.in_([ItemState.PENDING, ItemState.IN_PROGRESS]),
            RectificationItem.issued_in.is_not(None), RectificationItem.due_date < DueThresholds.on().today)))
    if f.keyword.strip():
        like = "%" + f.keyword.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(Topic.title.ilike(like, escape="\\"), Topic.serial.ilike(like, escape="\\")))
    return stmt


def _decode(text: str | None):
    value, _, ident = (text or "").partition("~")
    if not ident.isdigit() or not value.lstrip("-").isdigit():
        return None
    return EPOCH + dt.timedelta(microseconds=int(value)), int(ident)


# --- progress roll-up -----------------------------------------------------------------------------

@dataclass
class Rollup:
    """Progress of a set of items: the unit's reported and the NPC side's accepted mean, and sign-offs."""

    items: int = 0
    signed_off: int = 0
    overdue: int = 0
    reported_sum: int = 0
    accepted_sum: int = 0
    children: dict = field(default_factory=dict)

    def add(self, item: RectificationItem, overdue: bool) -> None:
        self.items += 1
        self.signed_off += item.state is ItemState.SIGNED_OFF
        self.overdue += overdue
        self.reported_sum += item.reported_percent
        self.accepted_sum += item.accepted_percent

    @property
    def reported(self) -> int:
        return round(self.reported_sum / self.items) if self.items else 0

    @property
    def accepted(self) -> int:
        return round(self.accepted_sum / self.items) if self.items else 0

    @property
    def completion(self) -> int:
        """Signed-off items as a share of all items (DOMAIN.md §8's completion rate, for one topic)."""
        return round(100 * self.signed_off / self.items) if self.items else 0


@dataclass
class TopicProgress:
    topic: Rollup
    by_problem: dict[int, Rollup]
    by_responsibility: dict[int, Rollup]
    by_unit: list[tuple[Organisation, Rollup]]


def is_overdue(item: RectificationItem, on: dt.date) -> bool:
    return item.state in (ItemState.PENDING, ItemState.IN_PROGRESS) and item.due_date < on


def progress(topic: Topic, on: dt.date | None = None) -> TopicProgress:
    """Roll item progress up to responsibilities, problems, units and the topic (issued items only)."""
    on = on or DueThresholds.on().today
    total, by_problem, by_resp, by_unit, units = Rollup(), {}, {}, {}, {}
    for problem in topic.problems:
        for resp in problem.responsibilities:
            for item in resp.items:
                if item.issued_in is None:
                    continue
                late = is_overdue(item, on)
                for roll in (total, by_problem.setdefault(problem.id, Rollup()),
                             by_resp.setdefault(resp.id, Rollup()), by_unit.setdefault(item.unit_id, Rollup())):
                    roll.add(item, late)
                units[item.unit_id] = item.unit
    ordered = sorted(by_unit.items(), key=lambda kv: (-kv[1].overdue, units[kv[0]].path))
    return TopicProgress(total, by_problem, by_resp, [(units[k], v) for k, v in ordered])


def items_of(topic: Topic, on: dt.date | None = None) -> list[RectificationItem]:
    """The topic's items, overdue first, then by due date."""
    on = on or DueThresholds.on().today
    items = list(db.session.scalars(sa.select(RectificationItem).where(RectificationItem.topic_id == topic.id)))
    return sorted(items, key=lambda i: (not is_overdue(i, on), i.state is ItemState.SIGNED_OFF, i.due_date, i.id))


def due_status(item: RectificationItem, thresholds: DueThresholds) -> DueStatus | None:
    if item.state not in (ItemState.PENDING, ItemState.IN_PROGRESS) or item.issued_in is None:
        return None
    return thresholds.status(item.due_date)


# The steps the responsible units may see on a topic's timeline: state changes that concern them.
PUBLIC_TOPIC_EVENTS = ("issue", "start", "revise", "evaluate", "close")


def topic_timeline(topic: Topic, *, public_only: bool = False) -> list[TopicEvent]:
    """The whole timeline for the owner side; for the units only the public state changes."""
    stmt = sa.select(TopicEvent).where(TopicEvent.topic_id == topic.id)
    if public_only:
        stmt = stmt.where(TopicEvent.action.in_(PUBLIC_TOPIC_EVENTS), TopicEvent.from_state != TopicEvent.to_state)
    return list(db.session.scalars(stmt.order_by(TopicEvent.id)))


def item_timeline(item: RectificationItem) -> list[ItemEvent]:
    return list(db.session.scalars(sa.select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id)))


def reports_of(item: RectificationItem) -> list[ProgressReport]:
    return list(db.session.scalars(sa.select(ProgressReport).where(ProgressReport.item_id == item.id)
                                   .order_by(ProgressReport.id)))


def unit_choices(topic: Topic | None = None) -> list[Organisation]:
    """Organisations that may be named responsible: procuratorates, their departments, external units —
    for `topic`, only those `permissions.may_be_responsible` allows (and the owner's working bodies)."""
    kinds = [OrgKind.PROCURATORATE, OrgKind.PROCURATORATE_DEPARTMENT, OrgKind.EXTERNAL_UNIT]
    stmt = sa.select(Organisation).where(Organisation.active.is_(True))
    if topic is None:
        stmt = stmt.where(Organisation.kind.in_(kinds))
    else:
        paired = topic.owner_org.paired_procuratorate
        allowed = [Organisation.kind == OrgKind.EXTERNAL_UNIT,
                   sa.and_(Organisation.kind == OrgKind.NPC_BODY,
                           Organisation.path.startswith(topic.owner_org.path, autoescape=True))]
        if paired is not None:
            allowed.append(sa.and_(Organisation.kind.in_(kinds[:2]),
                                   Organisation.path.startswith(paired.path, autoescape=True)))
        stmt = stmt.where(sa.or_(*allowed))
    rows = db.session.scalars(stmt.order_by(Organisation.path))
    return [o for o in rows if topic is None or permissions.may_be_responsible(topic, o)]


def lead_body_choices(user) -> list[Organisation]:
    """The user's committee and its working bodies."""
    from oversight.orgs.permissions import institution_of

    home = institution_of(user.organisation)
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.path.startswith(home.path, autoescape=True),
        Organisation.kind.in_([OrgKind.NPC_COMMITTEE, OrgKind.NPC_BODY]), Organisation.active.is_(True))
        .order_by(Organisation.path)))


# --- roll-ups for many topics at once (the topic list and its export) ---------------------------------

def rollups(topic_ids, on: dt.date | None = None) -> dict[int, Rollup]:
    """The topic-level `Rollup` of each topic in `topic_ids` from one GROUP BY over its issued items —
    the list pages must not load every topic's lists (a big topic has hundreds of items)."""
    ids = list(topic_ids)
    out = {i: Rollup() for i in ids}
    if not ids:
        return out
    on = on or DueThresholds.on().today
    item = RectificationItem
    open_ = item.state.in_([ItemState.PENDING, ItemState.IN_PROGRESS])
    stmt = (sa.select(item.topic_id, sa.func.count(), sa.func.sum(sa.case((item.state == ItemState.SIGNED_OFF, 1), else_=0)),
                      sa.func.sum(sa.case((sa.and_(open_, item.due_date < on), 1), else_=0)),
                      sa.func.sum(item.reported_percent), sa.func.sum(item.accepted_percent))
            .where(item.topic_id.in_(ids), item.issued_in.is_not(None)).group_by(item.topic_id))
    for topic_id, count, signed, overdue, reported, accepted in db.session.execute(stmt):
        out[topic_id] = Rollup(items=count, signed_off=int(signed or 0), overdue=int(overdue or 0),
                               reported_sum=int(reported or 0), accepted_sum=int(accepted or 0))
    return out


# --- the items list: a responsible unit's items (and the owner side's, by unit) ------------------------

@dataclass(frozen=True)
class ItemFilters:
    state: ItemState | None = None
    open_only: bool = True
    unit_id: int | None = None
    topic_id: int | None = None
    due: DueStatus | None = None     # overdue / due soon


@dataclass(frozen=True)
class ItemPage:
    rows: list[RectificationItem]
    more: bool
    next_cursor: str | None


def items_visible_to(user) -> sa.ColumnElement[bool]:
    """The items `permissions.can_view_item` lets `user` see, as one SQL condition."""
    clauses = []
    if user.has_role(*permissions.NPC_ROLES):
        clauses.append(RectificationItem.topic_id.in_(sa.select(Topic.id).where(in_scope(Topic.owner_org_id,
                                                                                         user=user))))
    if user.has_role(*permissions.UNIT_ROLES):
        units = sa.select(Organisation.id).where(in_scope(Organisation.id, user=user),
                                                 Organisation.kind != OrgKind.EXTERNAL_UNIT)
        clauses.append(sa.and_(RectificationItem.issued_in.is_not(None), RectificationItem.unit_id.in_(units)))
    return sa.or_(*clauses) if clauses else sa.false()


def _item_filtered(user, f: ItemFilters) -> sa.Select:
    item = RectificationItem
    stmt = sa.select(item).where(items_visible_to(user))
    if f.state:
        stmt = stmt.where(item.state == f.state)
    elif f.open_only:   # as an IN list, so (unit_id, state, due_date, id) serves each open state
        stmt = stmt.where(item.state.in_([ItemState.PENDING, ItemState.IN_PROGRESS, ItemState.AWAITING_SIGNOFF]))
    if f.unit_id:
        stmt = stmt.where(item.unit_id == f.unit_id)
    if f.topic_id:
        stmt = stmt.where(item.topic_id == f.topic_id)
    if f.due is not None:
        th = DueThresholds.on()
        stmt = stmt.where(item.state.in_([ItemState.PENDING, ItemState.IN_PROGRESS]), item.issued_in.is_not(None))
        if f.due is DueStatus.OVERDUE:
            stmt = stmt.where(item.due_date < th.today)
        else:
            stmt = stmt.where(item.due_date >= th.today, item.due_date < th.soon_from)
    return stmt


def unit_items(user, f: ItemFilters, *, after: str | None = None, limit: int = 50) -> ItemPage:
    """Items earliest due first, keyset on (due_date, id)."""
    item = RectificationItem
    stmt = _item_filtered(user, f).order_by(item.due_date, item.id)
    day, _, ident = (after or "").partition("~")
    try:
        cursor = (dt.date.fromisoformat(day), int(ident))
    except ValueError:
        cursor = None
    if cursor:
        stmt = stmt.where(sa.or_(item.due_date > cursor[0], sa.and_(item.due_date == cursor[0], item.id > cursor[1])))
    rows = list(db.session.scalars(stmt.options(sa.orm.joinedload(item.topic)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return ItemPage(rows, more, f"{rows[-1].due_date.isoformat()}~{rows[-1].id}" if more else None)


def unit_items_for_export(user, f: ItemFilters, limit: int) -> list[RectificationItem]:
    item = RectificationItem
    stmt = (_item_filtered(user, f).order_by(item.due_date, item.id)
            .options(sa.orm.joinedload(item.topic), sa.orm.joinedload(item.responsibility)
                     .joinedload(Responsibility.problem)).limit(limit + 1))
    return list(db.session.scalars(stmt).unique())


@dataclass(frozen=True)
class Issued:
    """An item as the topic's current issued version has it, beside its working values."""

    version: int | None            # the version number (None: not in the issued lists)
    due_date: dt.date | None
    measures: str | None
    revising: bool                 # the topic's lists are being revised (a draft of the next version)

    def due_differs(self, item: RectificationItem) -> bool:
        return self.due_date is not None and self.due_date != item.due_date

    def measures_differ(self, item: RectificationItem) -> bool:
        return self.measures is not None and self.measures != item.measures


def issued_values(items) -> dict[int, Issued]:
    """For each item: due date and measures in its topic's current issued version (one query for the
    versions of all the items' topics)."""
    import json

    from .models import ListVersion

    items = list(items)
    wanted = {(i.topic_id, i.topic.issued_version) for i in items if i.topic.issued_version}
    snaps: dict[int, tuple[int, dict]] = {}
    if wanted:
        rows = db.session.execute(sa.select(ListVersion.topic_id, ListVersion.number, ListVersion.snapshot).where(
            sa.tuple_(ListVersion.topic_id, ListVersion.number).in_(list(wanted))))
        for topic_id, number, snapshot in rows:
            keyed = {}
            for p in json.loads(snapshot)["problems"]:
                for r in p["responsibilities"]:
                    for i in r["items"]:
                        keyed[i["key"]] = i
            snaps[topic_id] = (number, keyed)
    out = {}
    for i in items:
        number, keyed = snaps.get(i.topic_id, (None, {}))
        row = keyed.get(i.id)
        out[i.id] = Issued(number if row else None, dt.date.fromisoformat(row["due_date"]) if row else None,
                           row["measures"] if row else None, i.topic.state in permissions.DRAFT_STATES)
    return out


def evidence_of(user, reports) -> dict[int, list]:
    """Evidence files of `reports` that `user` may download, by report id (one query)."""
    from sqlalchemy.orm import selectinload

    from oversight.attachments import permissions as attachment_permissions
    from oversight.attachments.models import Attachment

    ids = [r.id for r in reports]
    out: dict[int, list] = {i: [] for i in ids}
    if not ids:
        return out
    rows = db.session.scalars(sa.select(Attachment).where(Attachment.owner_type == ProgressReport.__tablename__,
                                                          Attachment.owner_id.in_(ids))
                              .options(selectinload(Attachment.uploaded_by)).order_by(Attachment.id))
    for a in rows:
        if attachment_permissions.can_download(user, a):
            out[a.owner_id].append(a)
    return out
