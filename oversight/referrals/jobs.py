"""The daily deadline sweep: 临期 and 逾期 reminders to the side that must act, the evaluation
reminder, and 未反馈 closing once the reminded evaluator still has not answered.

`deadline_sweep` is the use case (it flushes, never commits); `run_deadline_sweep` is what the
scheduler calls: it runs the sweep in the scheduler's app and commits once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import Role, User
from ..audit import services as audit
from ..db import commit, db
from ..orgs.models import Organisation
from ..workdays import add_working_days, today
from . import services
from .deadlines import current_due_of
from .models import Referral
from .workflow import OPEN_STATES, Direction, State

BATCH = 500
# After the evaluation window passes unanswered, the evaluator is reminded once and given this many
# more working days (counted from the reminder) before the referral closes as 未反馈.
EVALUATION_GRACE_WORKING_DAYS = 5


def deadline_sweep(on: dt.date | None = None) -> dict[str, int]:
    """Send what is due on `on` (default: today in Asia/Shanghai) and return the counts.

    Each open referral gets at most one 临期 and one 逾期 reminder per due date: the date a reminder
    was sent for is stored on the referral, so running the sweep again (or after a restart) sends
    nothing twice. A replied referral past its evaluation date is reminded once, then closed as 未反馈.
    """
    on = on or today()
    # Due soon: on or after `on` but before the (N+1)-th working day after it — the boundary
    # `deadlines.status` draws for 临期.
    horizon = add_working_days(on, current_app.config["DUE_SOON_WORKING_DAYS"] + 1)
    counts = dict.fromkeys(("due_soon", "overdue", "evaluation_reminded", "closed_without_feedback",
                            "notifications"), 0)
    people = _People()
    seen: set[int] = set()
    for state in sorted(OPEN_STATES):
        for batch in _batches(state, on, horizon):
            soon, late = [], []
            for referral in batch:
                if referral.id in seen:  # an extended evaluation date can move a row further along
                    continue
                seen.add(referral.id)
                if referral.current_due >= on:
                    counts["notifications"] += _remind(referral, "due_soon", people.acting(referral))
                    soon.append(referral.id)
                elif referral.state is State.REPLIED and not referral.evaluation_reminded:
                    counts["notifications"] += remind_evaluation(referral, on, people.acting(referral))
                    counts["evaluation_reminded"] += 1
                elif referral.state is State.REPLIED:
                    both_sides = people.acting(referral) + people.receiver_staff(referral)
                    services.close_without_feedback(referral)
                    counts["notifications"] += _tell(
                        both_sides, referral, "closed_no_feedback",
                        _("评价期限届满未反馈，事项已办结：%(h)s", h=services._heading(referral)))
                    counts["closed_without_feedback"] += 1
                else:
                    counts["notifications"] += _remind(referral, "overdue", people.acting(referral))
                    late.append(referral.id)
            _mark_sent(soon, Referral.due_soon_notified_for)
            _mark_sent(late, Referral.overdue_notified_for)
            counts["due_soon"] += len(soon)
            counts["overdue"] += len(late)
            db.session.flush()
    if any(counts.values()):
        audit.record("referral.deadline_sweep", actor=None, summary={"on": on.isoformat(), **counts})
    return counts


def remind_evaluation(referral: Referral, on: dt.date, evaluators: list[User]) -> int:
    """The evaluation window passed unanswered: remind once and give a few more working days."""
    before = referral.evaluation_due
    referral.evaluation_reminded = True
    referral.evaluation_due = add_working_days(on, EVALUATION_GRACE_WORKING_DAYS)
    referral.current_due = current_due_of(referral)
    audit.record("referral.evaluation_reminder", actor=None, obj=referral, summary={
        "serial": referral.serial, "due_before": before.isoformat() if before else None,
        "due_after": referral.evaluation_due.isoformat()})
    return _tell(evaluators, referral, "evaluation_reminder",
                 _("请评价答复：%(h)s", h=services._heading(referral)),
                 _("评价期限已过。请在 %(d)s 前评价；届时仍未评价的，按“未反馈”办结。",
                   d=referral.evaluation_due.isoformat()))


def run_deadline_sweep() -> dict[str, int]:
    """Scheduler entry point (referenced as "oversight.referrals.jobs:run_deadline_sweep")."""
    from ..scheduler import job_app

    app = job_app()
    with app.app_context():
        counts = deadline_sweep()
        commit()
        app.logger.info("deadline sweep: %s", counts)
    return counts


# --- helpers ------------------------------------------------------------------------------------

def _batches(state: State, on: dt.date, horizon: dt.date) -> Iterator[list[Referral]]:
    """Referrals in `state` with something to do, in keyset batches along (current_due, id) — the
    open-due index (state, current_due) serves it at any table size."""
    due = Referral.current_due
    soon_unsent = sa.and_(due >= on, _unsent(Referral.due_soon_notified_for))
    late_unsent = sa.and_(due < on, _unsent(Referral.overdue_notified_for))
    todo = sa.or_(soon_unsent, due < on) if state is State.REPLIED else sa.or_(soon_unsent, late_unsent)
    stmt = sa.select(Referral).where(Referral.state == state, due.is_not(None), due < horizon, todo)
    last: tuple[dt.date, int] | None = None
    while True:
        page = stmt if last is None else stmt.where(sa.tuple_(due, Referral.id) > last)
        rows = list(db.session.scalars(page.order_by(due, Referral.id).limit(BATCH)))
        if not rows:
            return
        last = (rows[-1].current_due, rows[-1].id)
        yield rows


def _unsent(column) -> sa.ColumnElement[bool]:
    return sa.or_(column.is_(None), column != Referral.current_due)


def _mark_sent(ids: list[int], column) -> None:
    # A plain UPDATE: this bookkeeping must not bump the row's version and make a person's edit of
    # the same referral at that moment fail as "changed by someone else".
    if ids:
        db.session.execute(sa.update(Referral.__table__).where(Referral.__table__.c.id.in_(ids))
                           .values({column.key: Referral.__table__.c.current_due}))


def _remind(referral: Referral, kind: str, users: list[User]) -> int:
    heading, day = services._heading(referral), referral.current_due.isoformat()
    if kind == "due_soon":
        return _tell(users, referral, kind, _("临期提醒：%(h)s", h=heading),
                     _("当前环节的期限是 %(d)s，请抓紧办理。", d=day))
    return _tell(users, referral, kind, _("逾期提醒：%(h)s", h=heading),
                 _("当前环节的期限 %(d)s 已过，请尽快办理。", d=day))


def _tell(users: list[User], referral: Referral, kind: str, title: str, body: str = "") -> int:
    users = list({u.id: u for u in users if u.active}.values())
    services._tell(users, referral, kind, title, body)
    return len(users)


class _People:
    """Who must act on a referral now, with each organisation's staff looked up once per sweep."""

    def __init__(self):
        self._staff: dict[tuple[int, Role], list[User]] = {}

    def staff(self, org: Organisation, role: Role) -> list[User]:
        key = (org.id, role)
        if key not in self._staff:
            self._staff[key] = services.recipients(org, role)
        return self._staff[key]

    def receiver_staff(self, referral: Referral) -> list[User]:
        npc_sends = referral.direction is Direction.NPC_TO_PROCURATORATE
        return self.staff(referral.receiver_org, Role.PROCURATORATE_CONTACT if npc_sends else Role.NPC_STAFF)

    def acting(self, referral: Referral) -> list[User]:
        """The receiver's liaison staff and handler; for a reply awaiting evaluation (or a report to
        be submitted again), the sender's staff and the deputy."""
        if referral.state in (State.REPLIED, State.DRAFT):
            npc_sends = referral.direction is Direction.NPC_TO_PROCURATORATE
            people = list(self.staff(referral.sender_org, Role.NPC_STAFF if npc_sends else Role.PROCURATORATE_CONTACT))
            return people + ([referral.deputy] if referral.deputy is not None else [])
        return self.receiver_staff(referral) + ([referral.handler] if referral.handler is not None else [])
