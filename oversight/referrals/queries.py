"""Read-only referral lists — the inbox, what was sent, search — and the reads behind the pages:
choices for forms, the timeline, the thread, the NPC-side log, export rows.

Every list starts from `visible_to(user)`, the SQL twin of `permissions.can_view`, built on the
organisations' one scoping condition (`orgs.queries.in_scope`). Lists are keyset-paginated on
(sort value, id) and say whether there is more by fetching one row too many — never a COUNT(*).
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..accounts.models import Role, User, UserRole
from ..db import db
from ..orgs.models import Organisation, OrgKind, Side
from ..orgs.permissions import institution_of, scope_root
from ..orgs.queries import in_scope
from ..workdays import add_working_days, current_calendar, today
from . import labels, pages, permissions
from .deadlines import DueStatus
from .models import Approver, Referral, ReferralEvent, ReferralMessage, ReferralType
from .workflow import TABLES, Action, Direction, Evaluation, Party, State

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

# Actions that move an item on: an item where the user may take one of them is waiting for them.
# Urging, archiving, withdrawing, converting, consulting and asking for more time are optional.
DUTIES = frozenset({Action.SEND, Action.SUBMIT, Action.ACKNOWLEDGE, Action.ACCEPT, Action.ASSIGN, Action.REPLY,
                    Action.EVALUATE, Action.RESEND, Action.RECEIVE, Action.SCHEDULE, Action.RECORD,
                    Action.ISSUE_OPINIONS, Action.VOTE})
PERSONAL = {Role.DEPUTY.value: Referral.deputy_id, Role.PROCURATORATE_HANDLER.value: Referral.handler_id}


class Sort(enum.StrEnum):
    DUE = "due"            # current due date, earliest first; items without one last
    UPDATED = "updated"    # last change, newest first


@dataclass(frozen=True)
class Filters:
    direction: Direction | None = None
    type_id: int | None = None
    state: State | None = None
    organisation_id: int | None = None
    subtree: bool = False                  # the organisation and every unit below it
    receiver_id: int | None = None
    due_status: DueStatus | None = None
    year: int | None = None
    sent_from: dt.date | None = None       # sent on or after this day (Asia/Shanghai)
    sent_to: dt.date | None = None         # sent on or before this day
    keyword: str = ""
    sort: Sort = Sort.DUE


@dataclass(frozen=True)
class Page:
    rows: list[Referral]
    more: bool
    next_cursor: str | None


# --- who sees what, and what waits for whom ----------------------------------------------------

def sending_direction(side: Side) -> Direction | None:
    return {Side.NPC: Direction.NPC_TO_PROCURATORATE, Side.PROCURATORATE: Direction.PROCURATORATE_TO_NPC}.get(side)


def visible_to(user) -> sa.ColumnElement[bool]:
    """The rows `permissions.can_view` lets `user` see, as one SQL condition."""
    personal = [Referral.deputy_id == user.id, Referral.handler_id == user.id]
    if not user.has_role(*permissions.STAFF_ROLES):
        return sa.or_(*personal)
    own = sending_direction(user.side)
    drafts = (sa.and_(Referral.direction == own, in_scope(Referral.sender_org_id, user=user))
              if own is not None else sa.false())
    return sa.or_(*personal,
                  sa.and_(Referral.state != State.DRAFT,
                          in_scope(Referral.sender_org_id, Referral.receiver_org_id, user=user)),
                  sa.and_(Referral.state == State.DRAFT, drafts))


def acting_ids(user) -> list[int]:
    """The organisations `user` acts for (`acts_for`) and may see: their institution down to their unit."""
    ids = [int(part) for part in user.organisation.path.strip("/").split("/")]
    return ids[scope_root(user).path.strip("/").count("/"):]


def waiting_for(user) -> sa.ColumnElement[bool]:
    """Rows where `permissions.allowed_actions(user, r)` holds one of DUTIES (or a pending extension
    the user decides) — derived from the workflow tables, as SQL."""
    held = {r.value for r in user.roles}
    acting = acting_ids(user)
    clauses = []
    for direction, table in TABLES.items():
        for party in (Party.SENDER, Party.RECEIVER):
            org = Referral.sender_org_id if party is Party.SENDER else Referral.receiver_org_id
            for role in sorted(held):
                states = sorted({s for (s, a), t in table.items()
                                 if a in DUTIES and t.party is party and role in t.roles})
                if not states:
                    continue
                clause = sa.and_(Referral.direction == direction, org.in_(acting), Referral.state.in_(states))
                if role in PERSONAL:  # a deputy or handler acts on their own items only
                    clause = sa.and_(clause, PERSONAL[role] == user.id)
                clauses.append(clause)
    # A pending extension request waits for its approver (`permissions.rule_for`).
    for approver, party, role in ((Approver.SENDER, Party.SENDER, Role.NPC_STAFF),
                                  (Approver.RECEIVER, Party.RECEIVER, Role.PROCURATORATE_CONTACT)):
        if role.value in held:
            org = Referral.sender_org_id if party is Party.SENDER else Referral.receiver_org_id
            states = [s for (s, a) in TABLES[Direction.NPC_TO_PROCURATORATE] if a is Action.DECIDE_EXTENSION]
            clauses.append(sa.and_(
                Referral.direction == Direction.NPC_TO_PROCURATORATE, org.in_(acting), Referral.state.in_(states),
                Referral.extension_requested_until.is_not(None),
                Referral.type_id.in_(sa.select(ReferralType.id).where(ReferralType.extension_approver == approver))))
    return sa.or_(*clauses) if clauses else sa.false()


# --- the lists ----------------------------------------------------------------------------------

def inbox(user, *, after: str | None = None, limit: int = 50) -> Page:
    """What `user` must act on, earliest due first."""
    stmt = sa.select(Referral).where(visible_to(user), waiting_for(user))
    return _page(stmt, Sort.DUE, after, limit, selective=True)


def sent(user, *, after: str | None = None, limit: int = 50) -> Page:
    """What the user's institution (or, for a deputy, the deputy) has written and sent, newest first."""
    own = sending_direction(user.side)
    mine = [Referral.deputy_id == user.id]
    if user.has_role(*permissions.STAFF_ROLES) and own is not None:
        mine.append(sa.and_(Referral.direction == own, in_scope(Referral.sender_org_id, user=user)))
    stmt = sa.select(Referral).where(visible_to(user), sa.or_(*mine))
    return _page(stmt, Sort.UPDATED, after, limit)


def search(user, filters: Filters, *, after: str | None = None, limit: int = 50) -> Page:
    return _page(_filtered(user, filters), filters.sort, after, limit)


def _filtered(user, f: Filters) -> sa.Select:
    stmt = sa.select(Referral).where(visible_to(user))
    if f.direction:
        stmt = stmt.where(Referral.direction == f.direction)
    if f.type_id:
        stmt = stmt.where(Referral.type_id == f.type_id)
    if f.state:
        stmt = stmt.where(Referral.state == f.state)
    if f.organisation_id and f.subtree:
        org = db.session.get(Organisation, f.organisation_id)
        below = sa.select(Organisation.id).where(Organisation.path.startswith(org.path if org else "/-/",
                                                                              autoescape=True))
        stmt = stmt.where(sa.or_(Referral.sender_org_id.in_(below), Referral.receiver_org_id.in_(below)))
    elif f.organisation_id:
        stmt = stmt.where(sa.or_(Referral.sender_org_id == f.organisation_id,
                                 Referral.receiver_org_id == f.organisation_id))
    if f.receiver_id:
        stmt = stmt.where(Referral.receiver_org_id == f.receiver_id)
    if f.sent_from or f.sent_to:
        tz = ZoneInfo(current_app.config["TIMEZONE"])
        if f.sent_from:
            stmt = stmt.where(Referral.sent_at >= dt.datetime.combine(f.sent_from, dt.time(), tz))
        if f.sent_to:
            stmt = stmt.where(Referral.sent_at < dt.datetime.combine(f.sent_to + dt.timedelta(days=1), dt.time(), tz))
    if f.due_status:
        stmt = stmt.where(DueThresholds.on().condition(f.due_status))
    if f.year:
        start, end = (dt.datetime(y, 1, 1, tzinfo=ZoneInfo(current_app.config["TIMEZONE"])) for y in (f.year, f.year + 1))
        stmt = stmt.where(sa.or_(sa.and_(Referral.sent_at >= start, Referral.sent_at < end),
                                 sa.and_(Referral.sent_at.is_(None), Referral.created_at >= start,
                                         Referral.created_at < end)))
    if f.keyword.strip():
        like = "%" + f.keyword.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(Referral.title.ilike(like, escape="\\"), Referral.serial.ilike(like, escape="\\")))
    return stmt


@dataclass(frozen=True)
class Satisfaction:
    """Evaluations of the finished items of a search (DOMAIN.md §8). 未反馈 is counted apart and is
    not part of `evaluated`: an item the evaluator never rated says nothing about satisfaction."""

    satisfied: int
    basically: int
    dissatisfied: int
    no_feedback: int

    @property
    def evaluated(self) -> int:
        return self.satisfied + self.basically + self.dissatisfied

    @property
    def rate(self) -> float | None:
        """(满意 + 基本满意) ÷ evaluated."""
        return (self.satisfied + self.basically) / self.evaluated if self.evaluated else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.evaluated if self.evaluated else None


def satisfaction(user, filters: Filters) -> Satisfaction:
    """The final evaluations of the items `user` finds with `filters` (closed or archived ones: an
    item reopened after 不满意 is still being handled and has no final evaluation yet)."""
    found = (_filtered(user, filters).with_only_columns(Referral.id)
             .where(Referral.state.in_([State.CLOSED, State.ARCHIVED]), Referral.evaluation.is_not(None))
             .order_by(None).subquery())
    counts = dict(db.session.execute(
        sa.select(Referral.evaluation, sa.func.count()).where(Referral.id.in_(sa.select(found.c.id)))
        .group_by(Referral.evaluation)).all())
    return Satisfaction(satisfied=counts.get(Evaluation.SATISFIED, 0),
                        basically=counts.get(Evaluation.BASICALLY_SATISFIED, 0),
                        dissatisfied=counts.get(Evaluation.DISSATISFIED, 0),
                        no_feedback=counts.get(Evaluation.NO_FEEDBACK, 0))


def _page(stmt: sa.Select, sort: Sort, after: str | None, limit: int, *, selective: bool = False) -> Page:
    rows, more = pages.rows_after(stmt, by_due=sort is Sort.DUE, cursor=_decode(after, sort), limit=limit,
                                  selective=selective)
    return Page(rows, more, _encode(rows[-1], sort) if more else None)


def _encode(row: Referral, sort: Sort) -> str:
    if sort is Sort.DUE:
        return f"{row.current_due.isoformat() if row.current_due else ''}~{row.id}"
    return f"{(row.updated_at - EPOCH) // dt.timedelta(microseconds=1)}~{row.id}"


def _decode(text: str | None, sort: Sort):
    """(sort value, id) from a cursor, or None for the first page (a mangled cursor included)."""
    value, _, ident = (text or "").partition("~")
    if not ident.isdigit():
        return None
    try:
        if sort is Sort.DUE:
            return (dt.date.fromisoformat(value) if value else None), int(ident)
        return EPOCH + dt.timedelta(microseconds=int(value)), int(ident)
    except (ValueError, OverflowError):
        return None


def beyond(user, filters: Filters, count: int) -> bool:
    """Whether the search finds more than `count` rows (reads at most count + 1 index entries)."""
    stmt = _filtered(user, filters).with_only_columns(Referral.id).order_by(None).offset(count).limit(1)
    return db.session.scalar(stmt) is not None


def for_export(user, filters: Filters):
    """Every row of the search, in its order, streamed from the database in batches."""
    stmt = _filtered(user, filters)
    if filters.sort is Sort.DUE:
        stmt = stmt.order_by(Referral.current_due.asc().nulls_last(), Referral.id.asc())
    else:
        stmt = stmt.order_by(Referral.updated_at.desc(), Referral.id.desc())
    return db.session.scalars(stmt.execution_options(yield_per=500))


# --- deadline status without a per-row calendar walk ----------------------------------------------

@dataclass(frozen=True)
class DueThresholds:
    """The dates where `deadlines.status` changes, for one day: due ≥ `soon_from` is 正常, due in
    [`today`, `soon_from`) 临期, in [`severe_before`, `today`) 逾期, before `severe_before` 严重逾期."""

    today: dt.date
    soon_from: dt.date
    severe_before: dt.date

    @classmethod
    def on(cls, day: dt.date | None = None) -> DueThresholds:
        day = day or today()
        cfg = current_app.config
        cal = current_calendar()
        # 严重逾期 once more than N working days lie in (due, today]: before the (N+1)-th working day
        # counted back from today (today included when it is one).
        back, found = day, 0
        while True:
            found += cal.is_working_day(back)
            if found == cfg["SEVERELY_OVERDUE_WORKING_DAYS"] + 1:
                break
            back -= dt.timedelta(days=1)
        return cls(day, add_working_days(day, cfg["DUE_SOON_WORKING_DAYS"] + 1), back)

    def status(self, due: dt.date | None) -> DueStatus | None:
        if due is None:
            return None
        if due >= self.soon_from:
            return DueStatus.NORMAL
        if due >= self.today:
            return DueStatus.DUE_SOON
        return DueStatus.OVERDUE if due >= self.severe_before else DueStatus.SEVERELY_OVERDUE

    def condition(self, status: DueStatus) -> sa.ColumnElement[bool]:
        due = Referral.current_due
        return {
            DueStatus.NORMAL: due >= self.soon_from,
            DueStatus.DUE_SOON: sa.and_(due >= self.today, due < self.soon_from),
            DueStatus.OVERDUE: sa.and_(due >= self.severe_before, due < self.today),
            DueStatus.SEVERELY_OVERDUE: due < self.severe_before,
        }[status]


# --- choices for forms ---------------------------------------------------------------------------

def types_for(direction: Direction | None = None, *, active_only: bool = True,
              requires_deputy: bool | None = None) -> list[ReferralType]:
    stmt = sa.select(ReferralType).order_by(ReferralType.direction, ReferralType.id)
    if direction:
        stmt = stmt.where(ReferralType.direction == direction)
    if active_only:
        stmt = stmt.where(ReferralType.active.is_(True))
    if requires_deputy is not None:
        stmt = stmt.where(ReferralType.requires_deputy.is_(requires_deputy))
    return list(db.session.scalars(stmt))


def receivers(direction: Direction) -> list[Organisation]:
    """Active procuratorates for NPC → P; active standing committees for P → NPC."""
    kind = OrgKind.PROCURATORATE if direction is Direction.NPC_TO_PROCURATORATE else OrgKind.NPC_COMMITTEE
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == kind, Organisation.active.is_(True)).order_by(Organisation.path)))


def institutions() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind.in_([OrgKind.NPC_COMMITTEE, OrgKind.PROCURATORATE])).order_by(Organisation.path)))


def departments_of(org: Organisation) -> list[Organisation]:
    """The active internal departments of a procuratorate (not those of the institutions below it)."""
    rows = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.PROCURATORATE_DEPARTMENT, Organisation.active.is_(True),
        Organisation.path.startswith(org.path, autoescape=True)).order_by(Organisation.path))
    return [d for d in rows if institution_of(d).id == org.id]


def _people(org: Organisation, *roles: Role) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.path.startswith(org.path, autoescape=True), User.active.is_(True),
               User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))))
        .order_by(Organisation.path, User.display_name)))


def handlers_of(org: Organisation) -> list[User]:
    return [u for u in _people(org, Role.PROCURATORATE_HANDLER, Role.PROCURATORATE_CONTACT)
            if institution_of(u.organisation).id == org.id]


def deputies_for(user) -> list[User]:
    """Deputies whose liaison station or unit lies inside the user's institution."""
    return _people(scope_root(user), Role.DEPUTY)


# --- the detail page ------------------------------------------------------------------------------

def timeline(referral: Referral) -> list[ReferralEvent]:
    return list(db.session.scalars(sa.select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
                                   .options(selectinload(ReferralEvent.actor)).order_by(ReferralEvent.id)))


def messages_for(referral: Referral, user) -> list[ReferralMessage]:
    """The thread as `user` may read it: the other side's internal notes left out."""
    rows = db.session.scalars(sa.select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
                              .options(selectinload(ReferralMessage.author)).order_by(ReferralMessage.id))
    return [m for m in rows if not m.internal or permissions.can_read_internal(user, m.side)]


def npc_log(referral: Referral) -> list[tuple[dt.datetime, str, str, str, str]]:
    """Everything the NPC side did or wrote to the procuratorate on this referral, in time order:
    (when, person, organisation, action, text). The NPC side's internal notes never reached it."""
    rows = [(e.at, e.actor_label, e.actor.organisation.name if e.actor else "", labels.action(e.action), e.note)
            for e in timeline(referral) if e.side == Side.NPC.value]
    messages = db.session.scalars(
        sa.select(ReferralMessage).where(ReferralMessage.referral_id == referral.id,
                                         ReferralMessage.side == Side.NPC.value, ReferralMessage.internal.is_(False))
        .options(selectinload(ReferralMessage.author)))
    rows += [(m.created_at, m.author.display_name, m.author.organisation.name, _("留言"), m.body) for m in messages]
    return sorted(rows, key=lambda row: row[0])
