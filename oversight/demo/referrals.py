"""Demo referrals: a few hundred items of every type, in every state of both directions.

Everything is done through the real services with the demo accounts as actors, so serials, due
dates, timelines, audit entries and notifications are what users would have produced. Services act
"today"; to get overdue and due-soon work, `simulate_history` afterwards moves a referral's own
clock back (see there). Deterministic: seeded `random.Random` generators drive every choice.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..db import db
from ..notifications.models import Notification
from ..orgs.models import Organisation
from ..orgs.queries import get_by_code
from ..referrals import permissions, report_services, services
from ..referrals.deadlines import DueKind, current_due_of, due, local_date, rehandling_due
from ..referrals.models import Referral, ReferralEvent, ReferralMessage, ReferralType
from ..referrals.workflow import OPEN_STATES, Direction, Evaluation, Outcome, State
from ..workdays import add_working_days, is_working_day, today
from . import data

TOKEN_PREFIX = "demo-"  # client tokens of demo referrals: how a second `demo load` recognises them

# Step sequences by the state they end in, with how often each is drawn.
NPC_PATHS = {
    "draft": ([], 1),
    "sent": (["send"], 3),
    "converted": (["send", "convert"], 1),
    "acknowledged": (["send", "acknowledge"], 2),
    "accepted": (["send", "acknowledge", "accept"], 2),
    "in_progress": (["send", "acknowledge", "accept", "assign"], 5),
    "extension_asked": (["send", "acknowledge", "accept", "assign", "request_extension"], 1),
    "extended": (["send", "acknowledge", "accept", "assign", "request_extension", "approve_extension"], 1),
    "consulted": (["send", "acknowledge", "accept", "assign", "consult"], 1),
    "replied": (["send", "acknowledge", "accept", "assign", "reply"], 3),
    "reopened": (["send", "acknowledge", "accept", "assign", "reply", "dissatisfied"], 1),
    "closed": (["send", "acknowledge", "accept", "assign", "reply", "satisfied"], 4),
    "no_feedback": (["send", "acknowledge", "accept", "assign", "reply", "close_without_feedback"], 1),
    "returned": (["send", "return"], 1),
    "resent": (["send", "return", "resend"], 1),
    "withdrawn": (["send", "withdraw"], 1),
    "archived": (["send", "acknowledge", "accept", "assign", "reply", "satisfied", "archive"], 2),
}
P_PATHS = {
    "draft": ([], 1),
    "submitted": (["send"], 3),
    "received": (["send", "receive"], 2),
    "scheduled": (["send", "receive", "schedule"], 2),
    "recorded": (["send", "receive", "record"], 2),
    "opinions": (["send", "receive", "schedule", "issue_opinions"], 1),
    "voted": (["send", "receive", "schedule", "vote_passed"], 1),
    "vote_failed": (["send", "receive", "schedule", "vote_failed"], 1),
    "withdrawn": (["send", "withdraw"], 1),
    "archived": (["send", "receive", "record", "archive"], 1),
}
TIMINGS = (("overdue", 3), ("due_soon", 2), ("normal", 5))

OUTCOMES = [Outcome.RESOLVED, Outcome.RESOLVED, Outcome.IN_PROGRESS, Outcome.PLANNED, Outcome.FOR_REFERENCE]
REPLIES = ["经调查核实，已督促相关单位整改到位，并建立长效机制。", "已依法立案审查，现将办理进展答复如下。",
           "已组织专题研究，相关工作列入明年工作计划。", "已与代表面商沟通，代表对办理措施表示认可。"]
MESSAGES = ["请告知承办部门及联系人。", "相关材料已补充，请查收。", "拟于下周与代表面商，请协调时间。",
            "办理进展已在系统中更新。"]


@dataclass
class Cast:
    """The people and units of one NPC committee–procuratorate pairing."""

    npc: Organisation
    liaison: User
    proc: Organisation
    contact: User
    units: list[tuple[Organisation, User | None]]
    elsewhere: Organisation   # where a returned referral is suggested to go
    share: int


def demo_referrals_exist() -> bool:
    return db.session.scalar(sa.select(Referral.id).where(Referral.client_token.startswith(TOKEN_PREFIX))
                             .limit(1)) is not None


def load_referrals(count: int | None = None, seed: int = data.REFERRAL_SEED) -> int:
    """Create `count` demo referrals (plus those they spawn); nothing if demo referrals exist."""
    if demo_referrals_exist():
        return 0
    count = data.REFERRAL_COUNT if count is None else count
    # Two generators: what is made (types, states, people, words) is the same on every day the demo
    # is loaded; only how far back it is moved depends on the day's due dates.
    rng, clock = random.Random(seed), random.Random(seed + 1)
    user = {u.username: u for u in db.session.scalars(sa.select(User))}
    casts = [Cast(get_by_code(npc), user[liaison], get_by_code(proc), user[contact],
                  [(get_by_code(unit), user[h] if h else None) for unit, h in units], get_by_code(elsewhere), share)
             for npc, liaison, proc, contact, units, elsewhere, share in data.REFERRAL_PAIRS]
    # deputy.wang (the README's demo deputy) proposes a good share of the suggestions.
    deputies = [user["deputy.wang"]] * 10 + [u for name, u in sorted(user.items()) if re.fullmatch(r"deputy\d+", name)]
    types = list(db.session.scalars(sa.select(ReferralType).where(ReferralType.active.is_(True))
                                    .order_by(ReferralType.id)))
    by_direction = {d: [t for t in types if t.direction is d] for d in Direction}
    letter = next(t for t in types if t.code == "deputy_letter")
    opinions = next(t for t in types if t.code == "deliberation_opinion")
    made, drawn = 0, {d: 0 for d in Direction}
    history: dict[Referral, int] = {}   # how many days back each referral's history is moved
    later: list[tuple[Referral, Cast]] = []
    for n in range(count):
        direction = Direction.PROCURATORATE_TO_NPC if n % 4 == 3 else Direction.NPC_TO_PROCURATORATE
        kinds = by_direction[direction]
        rtype = kinds[drawn[direction] % len(kinds)]  # every type in turn
        drawn[direction] += 1
        cast = rng.choices(casts, [c.share for c in casts])[0]
        paths = NPC_PATHS if direction is Direction.NPC_TO_PROCURATORATE else P_PATHS
        name = rng.choices(list(paths), [w for _, w in paths.values()])[0]
        steps = paths[name][0]
        if name == "converted" and rtype.code != "deputy_suggestion":
            steps = ["send"]  # only a deputy's suggestion can become a deputy's letter
        if name == "consulted" and not rtype.requires_deputy:
            steps = steps[:-1]  # 面商 is with the deputy who made the suggestion: none here
        referral = _create(rtype, cast, n, rng, deputies)
        spawned = _walk(referral, steps, cast, rng, letter=letter, opinions=opinions)
        days = _history_days(referral, clock.choices(*zip(*TIMINGS))[0], clock)
        history.update({item: days for item in [referral, *spawned]})
        later.append((referral, cast))
        made += 1 + len(spawned)
    simulate_history(history)
    for referral, cast in later:
        _afterwards(referral, cast, clock)
    db.session.flush()
    return made


# --- making one referral ---------------------------------------------------------------------------

def _create(rtype: ReferralType, cast: Cast, n: int, rng: random.Random, deputies: list[User]) -> Referral:
    prefix, suffix, subjects = data.REFERRAL_SUBJECTS[rtype.code]
    title = f"{prefix}{rng.choice(subjects)}{suffix}"
    body = (f"{title}。现将有关情况移送贵单位，请依法办理并按期反馈。" if rtype.direction is Direction.NPC_TO_PROCURATORATE
            else f"{title}。现将有关情况报送，请审阅。")
    actor = cast.liaison if rtype.direction is Direction.NPC_TO_PROCURATORATE else cast.contact
    receiver = cast.proc if rtype.direction is Direction.NPC_TO_PROCURATORATE else cast.npc
    deputy = rng.choice(deputies) if rtype.requires_deputy else None
    return services.create_referral(actor=actor, rtype=rtype, receiver=receiver, title=title, body=body,
                                    deputy=deputy, client_token=f"{TOKEN_PREFIX}{n:04d}")


def _walk(r: Referral, steps: list[str], cast: Cast, rng: random.Random, *, letter: ReferralType,
          opinions: ReferralType) -> list[Referral]:
    """Take `steps` through the services; return the referrals they spawned (opinions, re-reports)."""
    spawned = []
    unit, handler = rng.choice(cast.units)
    worker = handler or cast.contact
    for step in steps:
        if step == "send":
            services.send(r, actor=r.created_by)
        elif step == "convert":
            services.convert_to_letter(r, actor=cast.liaison, letter_type=letter, reason="建议内容涉及具体案件")
        elif step == "acknowledge":
            services.acknowledge(r, actor=cast.contact)
        elif step == "accept":
            services.accept(r, actor=cast.contact, procedural_reply="已收悉并受理，将依法办理并按期答复。")
        elif step == "assign":
            services.assign(r, actor=cast.contact, department=unit, handler=handler)
        elif step == "request_extension":
            until = min(r.result_due + dt.timedelta(days=30), r.cap_due or dt.date.max)
            services.request_extension(r, actor=worker, until=until, reason="需赴外地调查取证，办理周期较长。")
        elif step == "approve_extension":
            approver = cast.liaison if r.type.extension_approver.value == "sender" else cast.contact
            services.decide_extension(r, actor=approver, approve=True)
        elif step == "consult":
            services.record_consultation(r, actor=worker, held_on=today(), note="与代表当面沟通了办理思路。")
        elif step == "reply":
            services.reply(r, actor=worker, outcome=rng.choice(OUTCOMES), text=rng.choice(REPLIES))
        elif step in ("satisfied", "dissatisfied"):
            evaluation = (rng.choice([Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED]) if step == "satisfied"
                          else Evaluation.DISSATISFIED)
            services.evaluate(r, actor=cast.liaison, evaluation=evaluation,
                              reasons="" if step == "satisfied" else "整改措施不够具体，请补充办理。")
        elif step == "close_without_feedback":
            services.close_without_feedback(r)
        elif step == "return":
            services.return_referral(r, actor=cast.contact, reason="该事项不属于本院管辖。", suggested_receiver=cast.elsewhere)
        elif step == "resend":
            services.resend(r, actor=cast.liaison, receiver=cast.elsewhere)
        elif step == "withdraw":
            services.withdraw(r, actor=r.created_by, reason="情况已发生变化，暂不移送。")
        elif step == "archive":  # the NPC side archives, except a report the procuratorate withdrew
            services.archive(r, actor=cast.liaison if r.direction is Direction.NPC_TO_PROCURATORATE
                             or r.state is State.CLOSED else cast.contact)
        elif step == "receive":
            report_services.receive(r, actor=cast.liaison)
        elif step == "schedule":
            report_services.schedule(r, actor=cast.liaison, session_date=today() + dt.timedelta(days=rng.randint(28, 56)))
        elif step == "record":
            report_services.record(r, actor=cast.liaison, note="已阅知，存档备查。")
        elif step == "issue_opinions":
            spawned.append(report_services.issue_opinions(
                r, actor=cast.liaison, opinions_type=opinions, title="", text="建议进一步加强工作，三个月内报告研究处理情况。"))
        elif step in ("vote_passed", "vote_failed"):
            votes = (38, 4, 2) if step == "vote_passed" else (15, 25, 4)
            again = report_services.vote(r, actor=cast.liaison, votes_for=votes[0], against=votes[1], abstain=votes[2])
            spawned += [again] if again is not None else []
        else:
            raise ValueError(step)
    return spawned


def _afterwards(r: Referral, cast: Cast, rng: random.Random) -> None:
    """What happens today on some referrals: the sender urges overdue work; the two sides talk."""
    if r.current_due is not None and r.current_due < today() and rng.random() < 0.4 and r.state in (
            State.SENT, State.ACKNOWLEDGED, State.ACCEPTED, State.IN_PROGRESS):
        services.urge(r, actor=cast.liaison, note="该事项已逾期，请抓紧办理并及时反馈。")
    if r.state not in (State.DRAFT, State.ARCHIVED) and rng.random() < 0.2:
        author = cast.contact if rng.random() < 0.5 else cast.liaison
        if permissions.can_view(author, r):  # not once it was sent on to another procuratorate
            services.post_message(r, actor=author, body=rng.choice(MESSAGES))


# --- simulated history -------------------------------------------------------------------------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TIMESTAMPS = ("created_at", "updated_at", "sent_at", "acknowledged_at", "accepted_at", "assigned_at",
              "replied_at", "evaluated_at", "closed_at")
DATES = ("ack_due", "procedural_due", "result_due", "cap_due", "evaluation_due", "extension_requested_until",
         "session_date")


# Calendar days between one step and the next (drawn per referral): the services ran every step of a
# referral within a second, so without these gaps every step took 0 working days in the statistics.
STEP_GAPS = {"acknowledge": (1, 5), "receive": (1, 5), "accept": (1, 6), "assign": (0, 3), "consult": (2, 10),
             "request_extension": (5, 20), "decide_extension": (1, 4), "reply": (8, 45), "evaluate": (2, 15),
             "archive": (1, 10), "schedule": (1, 6), "record": (1, 10), "vote": (20, 40), "issue_opinions": (1, 5)}
DEFAULT_GAP = (0, 3)
# Which step's date the open step's due date counts from (current_due_of): it keeps its shift exactly.
ANCHOR_ACTIONS = {State.ACKNOWLEDGED: ("acknowledge",), State.REPLIED: ("reply",)}
SENDING = ("send", "submit", "resend")


def simulate_history(days_back: dict[Referral, int], seed: int = data.REFERRAL_SEED + 2) -> None:
    """DEMO ONLY — pretend each referral was handled `days_back[referral]` days ago, step by step.

    The services ran today, so every step and due date is genuine but dated today. This moves each
    referral's own clock back everywhere — its timestamps, due dates, timeline events, messages and
    notifications — so that due dates computed from "today" now fall due (or lie overdue) as they
    would have had the work really started then. The steps are also spread apart (`STEP_GAPS`):
    the step the open due date counts from (the anchor) moves back by exactly `days_back`, earlier
    steps further back, later steps less far (never into the future). Finished work is anchored on
    its last step. The audit log is NOT touched: it truthfully says that these entries were written
    when the demo was loaded.
    """
    rng = random.Random(seed)
    by_id = {r.id: r for r in days_back}
    events: dict[int, list[ReferralEvent]] = {i: [] for i in by_id}
    for event in db.session.scalars(sa.select(ReferralEvent).where(ReferralEvent.referral_id.in_(list(by_id)))
                                    .order_by(ReferralEvent.id)):
        events[event.referral_id].append(event)
    # Per referral: the original instant of each event and the shift it gets, in time order.
    moves: dict[int, list[tuple[dt.datetime, dt.timedelta]]] = {}
    anchors: dict[int, dt.timedelta] = {}
    for rid, referral in sorted(by_id.items()):
        timeline = events[rid]
        base = days_back[referral]
        shifts = _step_shifts(referral, timeline, base, rng)
        anchors[rid] = dt.timedelta(days=base)
        moves[rid] = [(e.at, shift) for e, shift in zip(timeline, shifts)] or [(referral.created_at, anchors[rid])]
        for name in TIMESTAMPS:
            value = getattr(referral, name)
            if value is not None:
                setattr(referral, name, value - _nearest(moves[rid], value))
        for name in DATES:
            value = getattr(referral, name)
            if value is not None:
                setattr(referral, name, value - anchors[rid])
        for event, shift in zip(timeline, shifts):
            event.at -= shift
            # The timeline's "deadline as it stood" moves with the referral's dates (corrected below).
            event.due_before = event.due_before - anchors[rid] if event.due_before else None
            event.due_after = event.due_after - anchors[rid] if event.due_after else None
            event.note = _shift_dates_in(event.note, shift)  # "申请延期至 2027-03-31", "列入 … 审议"
    for referral in by_id.values():
        _recompute_due_dates(referral, events[referral.id])
    for message in db.session.scalars(sa.select(ReferralMessage).where(ReferralMessage.referral_id.in_(list(by_id)))):
        message.created_at -= _nearest(moves[message.referral_id], message.created_at)
    links = {f"/referrals/{i}": i for i in by_id}
    for note in db.session.scalars(sa.select(Notification).where(Notification.link.in_(list(links)))):
        rid = links[note.link]
        shift = _nearest(moves[rid], note.created_at)
        note.created_at -= shift
        note.body = _shift_dates_in(note.body, shift)
    db.session.flush()


def _step_shifts(r: Referral, timeline: list[ReferralEvent], base: int, rng: random.Random) -> list[dt.timedelta]:
    """How far back each event of `r` moves: `base` days for the anchor, gaps between the steps."""
    if not timeline:
        return []
    position, positions = 0, []
    for index, event in enumerate(timeline):
        if index:
            position += rng.randint(*STEP_GAPS.get(event.action, DEFAULT_GAP))
        positions.append(position)
    if r.state in OPEN_STATES:
        actions = ANCHOR_ACTIONS.get(r.state, SENDING)
        if r.state is State.IN_PROGRESS and any(e.action == "evaluate" for e in timeline):
            actions = ("evaluate",)  # re-handling: the result is due from the dissatisfied evaluation
        hits = [i for i, e in enumerate(timeline) if e.action in actions]
        anchor = hits[-1] if hits else 0
    else:
        anchor = len(timeline) - 1
    return [dt.timedelta(days=max(0, base + positions[anchor] - p)) for p in positions]


def _nearest(moves: list[tuple[dt.datetime, dt.timedelta]], moment: dt.datetime) -> dt.timedelta:
    """The shift of the event written closest to `moment` (a step sets its timestamps and its event together)."""
    return min(moves, key=lambda m: abs((_aware(m[0]) - _aware(moment)).total_seconds()))[1]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _recompute_due_dates(r: Referral, events: list[ReferralEvent]) -> None:
    """Due dates as the type's rules give them from the moved timeline — what the services would
    have computed then. (Moving a date by whole weeks keeps working-day periods, but not months,
    and not holidays.) The timeline's "deadline as it stood" follows the corrected dates."""
    sent = acknowledged = replied = rehandled = extended = None
    for event in events:
        day = local_date(event.at)
        if event.action in ("send", "submit", "resend"):
            sent, rehandled, extended = day, None, None
        elif event.action == "acknowledge":
            acknowledged = day
        elif event.action == "reply":
            replied = day
        elif event.action == "evaluate" and event.to_state == State.IN_PROGRESS.value:
            rehandled, extended = day, None
        elif event.action == "decide_extension" and event.due_after != event.due_before:
            extended = event.due_after
    rtype, before = r.type, {name: getattr(r, name) for name in DATES}
    if sent and r.ack_due:
        r.ack_due = due(rtype, DueKind.ACK, sent)
    if sent and r.direction is Direction.NPC_TO_PROCURATORATE:
        r.cap_due = due(rtype, DueKind.CAP, sent)
        result = rehandling_due(rtype, rehandled) if rehandled else due(rtype, DueKind.RESULT, sent)
        if not rehandled and r.cap_due and result > r.cap_due:
            result = r.cap_due
        r.result_due = extended or result
    if acknowledged and r.procedural_due:
        r.procedural_due = due(rtype, DueKind.PROCEDURAL, acknowledged)
    if replied and r.evaluation_due:
        r.evaluation_due = due(rtype, DueKind.EVALUATION, replied)
    r.current_due = current_due_of(r)
    corrected = {old: getattr(r, name) for name, old in before.items() if old and getattr(r, name) != old}
    for event in events:
        event.due_before = corrected.get(event.due_before, event.due_before)
        event.due_after = corrected.get(event.due_after, event.due_after)


def _shift_dates_in(text: str, shift: dt.timedelta) -> str:
    """The ISO dates the services wrote into a text (a due date, a session date), moved by `shift`."""
    return ISO_DATE.sub(lambda m: (dt.date.fromisoformat(m.group()) - shift).isoformat(), text or "")


def _history_days(r: Referral, timing: str, rng: random.Random) -> int:
    """How far back to move `r` so that its open step is `timing` (overdue / due_soon / normal).

    Whole weeks, so that due dates keep their weekday: a working-day period moved by whole weeks
    ends where it would have ended had it started then (unless a holiday lies in between)."""
    on, due_on = today(), r.current_due
    if r.state not in OPEN_STATES:
        return 7 * rng.randint(1, 30)          # finished work is spread over the past months
    if r.state is State.SCHEDULED or due_on is None:
        return 7 * rng.randint(0, 2)           # a scheduled session stays ahead
    ahead = (due_on - on).days
    if timing == "overdue":  # a week's margin: recomputed due dates may move by a day or two
        return 7 * (ahead // 7 + 2 + rng.randint(0, 2))
    horizon = add_working_days(on, current_app.config["DUE_SOON_WORKING_DAYS"] + 1)
    if timing == "due_soon":
        fits = [d for d in range(0, ahead + 1, 7)
                if on <= due_on - dt.timedelta(days=d) < horizon and is_working_day(due_on - dt.timedelta(days=d))]
        return rng.choice(fits) if fits else 0
    room = (due_on - horizon).days // 7
    return 7 * rng.randint(0, room) if room > 0 else 0
