"""Crafted records for the supervision model tests: rows written directly, so each test states exactly
the situation a model must (or must not) fire on."""
from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa

from oversight.db import db
from oversight.referrals.models import Referral, ReferralEvent, ReferralType
from oversight.referrals.workflow import Direction, Evaluation, State

AS_OF = dt.date(2026, 11, 30)
PERIOD = "2026-11-30"
_serials = itertools.count(1)


def at(days_before: int) -> dt.datetime:
    """UTC noon `days_before` days before AS_OF."""
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(12), tzinfo=dt.timezone.utc)


def rtype(code: str) -> ReferralType:
    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == code))


def referral(*, sender, receiver, code: str = "supervision_lead", state: State = State.IN_PROGRESS,
             direction: Direction | None = None, title: str = "测试事项", due: dt.date | None = None,
             sent_days_before: int = 100, evaluation: Evaluation | None = None) -> Referral:
    t = rtype(code)
    r = Referral(direction=direction or t.direction, type_id=t.id, state=state, title=title, body="正文",
                 serial=f"T-{next(_serials):05d}", sender_org_id=sender.id, receiver_org_id=receiver.id,
                 sent_at=at(sent_days_before), created_at=at(sent_days_before), current_due=due,
                 evaluation=evaluation)
    db.session.add(r)
    db.session.flush()
    return r


def dissatisfied(r: Referral, days_before: int, *, closes: bool = False) -> None:
    """One 不满意 evaluation event on `r` (reopening it, or closing it after the last round)."""
    db.session.add(ReferralEvent(referral_id=r.id, action="evaluate", from_state="replied",
                                 to_state="closed" if closes else "in_progress", actor_label="测试", side="npc",
                                 at=at(days_before), note="不满意"))
    if closes:
        r.state, r.evaluation = State.CLOSED, Evaluation.DISSATISFIED
    db.session.flush()


def satisfied(r: Referral, days_before: int) -> None:
    db.session.add(ReferralEvent(referral_id=r.id, action="evaluate", from_state="replied", to_state="closed",
                                 actor_label="测试", side="npc", at=at(days_before), note="满意"))
    r.state, r.evaluation = State.CLOSED, Evaluation.SATISFIED
    db.session.flush()


def clue(receiver, *, title: str, description: str, category: str = "public_interest", place: str = "江北区",
         days_before: int = 3, state: str = "received", **kw):
    from oversight.clues.models import Clue

    n = next(_serials)
    c = Clue(tracking_code=f"XS2026-T{n:07d}", secret_hash="x", category=category, title=title, place=place,
             description=description, receiving_org_id=receiver.id, created_at=at(days_before), state=state, **kw)
    db.session.add(c)
    db.session.flush()
    return c
