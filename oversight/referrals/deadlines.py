"""Due dates of each step, computed from the type's rules with the working-day calendar, and the
status a list shows: 正常 / 临期 / 逾期 / 严重逾期."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app

from ..workdays import Deadline, DeadlineRule, PeriodUnit, compute_deadline, current_calendar, today
from .models import Referral, ReferralEvent, ReferralType
from .workflow import Action, State


class DueKind(enum.StrEnum):
    ACK = "ack"                  # 签收期限
    PROCEDURAL = "procedural"    # 程序性答复期限
    RESULT = "result"            # 办理期限
    CAP = "cap"                  # 最长期限
    EVALUATION = "evaluation"    # 评价期限


class DueStatus(enum.StrEnum):
    NORMAL = "normal"                      # 正常
    DUE_SOON = "due_soon"                  # 临期
    OVERDUE = "overdue"                    # 逾期
    SEVERELY_OVERDUE = "severely_overdue"  # 严重逾期


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def rule(rtype: ReferralType, kind: DueKind) -> DeadlineRule | None:
    roll = rtype.roll_weekends
    if kind is DueKind.ACK:
        return DeadlineRule(rtype.ack_amount, rtype.ack_unit, roll)
    if kind is DueKind.PROCEDURAL:
        return DeadlineRule(rtype.procedural_amount, rtype.procedural_unit, roll) if rtype.procedural_amount else None
    if kind is DueKind.RESULT:
        return DeadlineRule(rtype.result_amount, rtype.result_unit, roll)
    if kind is DueKind.CAP:
        return DeadlineRule(rtype.cap_months, PeriodUnit.MONTHS, roll) if rtype.cap_months else None
    return DeadlineRule(rtype.evaluation_window_days, PeriodUnit.WORKING_DAYS, roll)


def due(rtype: ReferralType, kind: DueKind, start: dt.date) -> dt.date | None:
    r = rule(rtype, kind)
    return compute_deadline(start, r).due if r else None


def rehandling_due(rtype: ReferralType, start: dt.date) -> dt.date:
    return compute_deadline(start, DeadlineRule(rtype.rehandling_amount, rtype.rehandling_unit, rtype.roll_weekends)).due


def return_window_end(referral: Referral) -> dt.date | None:
    """The last day the receiver may return the referral (N working days from sending)."""
    if referral.sent_at is None:
        return None
    rtype = referral.type
    start = local_date(referral.sent_at)
    return compute_deadline(start, DeadlineRule(rtype.return_window_days, PeriodUnit.WORKING_DAYS, rtype.roll_weekends)).due


def current_due_of(referral: Referral) -> dt.date | None:
    """The due date of the step that is open now."""
    state = referral.state
    if state in (State.SENT, State.SUBMITTED):
        return referral.ack_due
    if state is State.ACKNOWLEDGED:
        return referral.procedural_due or referral.result_due
    if state in (State.ACCEPTED, State.IN_PROGRESS):
        return referral.result_due
    if state is State.REPLIED:
        return referral.evaluation_due
    if state in (State.RECEIVED, State.SCHEDULED):
        return referral.result_due
    return None


def status(due_date: dt.date | None, on: dt.date | None = None) -> DueStatus | None:
    if due_date is None:
        return None
    on = on or today()
    cfg = current_app.config
    cal = current_calendar()
    if on > due_date:
        late = cal.working_days_between(due_date, on)
        return DueStatus.SEVERELY_OVERDUE if late > cfg["SEVERELY_OVERDUE_WORKING_DAYS"] else DueStatus.OVERDUE
    if cal.working_days_between(on, due_date) <= cfg["DUE_SOON_WORKING_DAYS"]:
        return DueStatus.DUE_SOON
    return DueStatus.NORMAL


def is_provisional(due_date: dt.date | None) -> bool:
    return due_date is not None and current_calendar().is_provisional(due_date)


# --- why a due date is what it is ---------------------------------------------------------------

@dataclass(frozen=True)
class Explanation:
    """A stored due date beside today's recomputation of it from the event its period runs from."""

    kind: DueKind
    stored: dt.date | None
    rule: DeadlineRule | None
    start: ReferralEvent | None        # the event the period runs from (the next day is day one)
    rehandling: bool                   # the result period restarted by a 不满意 evaluation
    computed: Deadline | None          # compute_deadline(local date of `start`, rule), with today's calendar
    capped_at: dt.date | None          # the result period cut at the absolute cap
    extended_to: dt.date | None        # an approved extension replaced the computed date

    @property
    def expected(self) -> dt.date | None:
        return self.extended_to or self.capped_at or (self.computed.due if self.computed else None)

    @property
    def differs(self) -> bool:
        return self.stored is not None and self.expected is not None and self.stored != self.expected


_STARTS = {
    DueKind.ACK: {Action.SEND, Action.SUBMIT, Action.RESEND},
    DueKind.PROCEDURAL: {Action.ACKNOWLEDGE},
    DueKind.RESULT: {Action.SEND, Action.RESEND},
    DueKind.CAP: {Action.SEND, Action.RESEND},
    DueKind.EVALUATION: {Action.REPLY},
}


def explain(referral: Referral, kind: DueKind, events: list[ReferralEvent]) -> Explanation:
    """Walk the timeline to the event that last started (or moved) the `kind` period and recompute it."""
    start, rehandling, extended = None, False, None
    for event in events:
        action = Action(event.action)
        if action in _STARTS[kind]:
            start, rehandling, extended = event, False, None
        elif kind is DueKind.RESULT and action is Action.EVALUATE and event.to_state == State.IN_PROGRESS.value:
            start, rehandling, extended = event, True, None
        elif kind is DueKind.RESULT and action is Action.DECIDE_EXTENSION and event.due_after != event.due_before:
            extended = event.due_after
    rtype = referral.type
    if rehandling:
        period = DeadlineRule(rtype.rehandling_amount, rtype.rehandling_unit, rtype.roll_weekends)
    else:
        period = rule(rtype, kind)
    computed = compute_deadline(local_date(start.at), period) if start is not None and period else None
    capped = None
    if (kind is DueKind.RESULT and not rehandling and computed and referral.cap_due
            and computed.due > referral.cap_due):
        capped = referral.cap_due
    return Explanation(kind, getattr(referral, f"{kind.value}_due"), period, start, rehandling, computed, capped,
                       extended)
