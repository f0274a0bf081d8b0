"""Shared by the report tests: referrals written straight into the table with chosen timestamps, and
the figures of DOMAIN.md §8 computed from the raw rows by a second, independent implementation."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from oversight.db import db
from oversight.referrals.models import Referral, ReferralType
from oversight.workdays import current_calendar

SH = ZoneInfo("Asia/Shanghai")
STATES_NPC = ["sent", "acknowledged", "accepted", "in_progress", "replied", "closed", "returned", "withdrawn"]


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SH).astimezone(dt.timezone.utc)


def seed_referrals(world, *, start: dt.date, days: int, count: int, seed: int = 7) -> None:
    """`count` NPC → P and P → NPC referrals sent over `days` days from `start` (plus some before it),
    with steps taken a random number of days later, some late, some evaluated, some reopened."""
    rng = random.Random(seed)
    types = {d: list(db.session.scalars(sa.select(ReferralType).where(ReferralType.direction == d)))
             for d in ("npc_to_procuratorate", "procuratorate_to_npc")}
    pairs = [(world.npc, world.proc), (world.d_npc, world.d_proc)]
    for i in range(count):
        direction = "npc_to_procuratorate" if rng.random() < 0.8 else "procuratorate_to_npc"
        npc, proc = rng.choice(pairs)
        sender, receiver = (npc, proc) if direction == "npc_to_procuratorate" else (proc, npc)
        sent_day = start + dt.timedelta(days=rng.randrange(-20, days))
        r = Referral(direction=direction, type_id=rng.choice(types[direction]).id, title=f"统计测试事项{i}",
                     body="正文", sender_org_id=sender.id, receiver_org_id=receiver.id, state="sent",
                     sent_at=at(sent_day, rng.randrange(0, 20)), reply_text="答复")
        r.ack_due = sent_day + dt.timedelta(days=rng.choice([3, 5]))
        stage = rng.randrange(0, 6)
        if direction == "procuratorate_to_npc":
            if stage >= 2:
                r.acknowledged_at = at(sent_day + dt.timedelta(days=rng.randrange(0, 8)), 21)
                r.state = "received"
            if stage >= 4:
                r.state = "closed"
        else:
            r.result_due = sent_day + dt.timedelta(days=rng.choice([20, 40, 90]))
            day = sent_day
            if stage >= 1:
                day += dt.timedelta(days=rng.randrange(0, 8))
                r.acknowledged_at, r.state = at(day, rng.choice([20, 23])), "acknowledged"
                r.procedural_due = day + dt.timedelta(days=7)
            if stage >= 2:
                day += dt.timedelta(days=rng.randrange(0, 12))
                r.accepted_at, r.state = at(day, 23), "accepted"
            if stage >= 3:
                r.assigned_at, r.state = r.accepted_at, "in_progress"
            if stage >= 4:
                day += dt.timedelta(days=rng.randrange(1, 60))
                r.replied_at, r.state = at(day, 11), "replied"
            if stage >= 5:
                day += dt.timedelta(days=rng.randrange(0, 10))
                r.evaluated_at = at(day, 16)
                r.evaluation = rng.choice(["satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                                           "no_feedback"])
                r.state = "closed"
                if r.evaluation == "dissatisfied" and rng.random() < 0.5:
                    r.state, r.round = "in_progress", 2
                elif rng.random() < 0.2:
                    r.round = 2
            if stage == 0 and rng.random() < 0.3:
                r.state, r.return_reason = rng.choice([("withdrawn", None), ("returned", "管辖错误")])
        db.session.add(r)
    db.session.commit()


def _local(moment):
    return moment.astimezone(SH).date() if moment else None


def expected(start: dt.date, end: dt.date, minimum: int = 5) -> dict:
    """The figures for [start, end) from the raw rows, written without the service's code."""
    rows = [dict(m) for m in db.session.execute(sa.select(Referral.__table__)).mappings()]
    cal = current_calendar()

    def within(moment):
        return moment is not None and start <= _local(moment) < end

    def rate(hits, total):
        if total == 0 or total < minimum:
            return "样本不足"
        return f"{round(hits * 100 / total, 1):.1f}%"

    def wd(a, b):
        a, b = _local(a), _local(b)
        return sum(1 for k in range(1, (b - a).days + 1) if cal.is_working_day(a + dt.timedelta(days=k)))

    out = {}
    sent = [r for r in rows if within(r["sent_at"])]
    out["sent"] = len(sent)
    out["by_direction"] = Counter(r["direction"] for r in sent)
    out["by_state"] = Counter(r["state"] for r in sent)
    for key, done, due in (("ack", "acknowledged_at", "ack_due"), ("procedural", "accepted_at", "procedural_due"),
                           ("result", "replied_at", "result_due")):
        steps = [r for r in rows if within(r[done]) and r[due] is not None]
        out[key] = rate(sum(_local(r[done]) <= r[due] for r in steps), len(steps))
        out[key + "_n"] = (sum(_local(r[done]) <= r[due] for r in steps), len(steps))
    evaluated = [r for r in rows if within(r["evaluated_at"]) and r["evaluation"] in
                 ("satisfied", "basically_satisfied", "dissatisfied")]
    good = sum(r["evaluation"] in ("satisfied", "basically_satisfied") for r in evaluated)
    out["satisfaction"] = rate(good, len(evaluated))
    out["satisfied_only"] = rate(sum(r["evaluation"] == "satisfied" for r in evaluated), len(evaluated))
    out["rehandling"] = rate(sum(r["round"] > 1 for r in evaluated), len(evaluated))
    out["overdue"] = sum(
        1 for r in rows if r["sent_at"] and _local(r["sent_at"]) < end and r["state"] not in ("withdrawn", "returned")
        and ((r["ack_due"] and r["ack_due"] < end and (not r["acknowledged_at"] or _local(r["acknowledged_at"]) >= end))
             or (r["direction"] == "npc_to_procuratorate" and r["result_due"] and r["result_due"] < end
                 and (not r["replied_at"] or _local(r["replied_at"]) >= end))))
    for key, a, b in (("ack", "sent_at", "acknowledged_at"), ("accept", "acknowledged_at", "accepted_at"),
                      ("handle", "accepted_at", "replied_at"), ("total", "sent_at", "replied_at")):
        days = sorted(wd(r[a], r[b]) for r in rows if r[a] and within(r[b]))
        if len(days) < minimum or not days:
            out["days_" + key] = ("样本不足", "样本不足", len(days))
        else:
            mid = len(days) // 2
            median = days[mid] if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
            out["days_" + key] = (f"{round(sum(days) / len(days), 1):.1f}", f"{round(median, 1):.1f}", len(days))
    return out


# --- rectification items and liaison action items, written straight into their tables ----------------

def seed_rectification(world, *, start: dt.date, days: int, count: int, seed: int = 5) -> None:
    """An issued topic of `world.npc` with `count` items of two units due around [start, start + days),
    some signed off (early, late, before the period, after it), some never; plus draft items."""
    from issues.models import Problem, RectificationItem, Responsibility, Topic

    rng = random.Random(seed)
    topic = Topic(title="统计测试议题", owner_org_id=world.npc.id, lead_body_id=world.body.id, state="rectifying",
                  issued_version=1, serial="统计〔2026〕1号")
    db.session.add(topic)
    db.session.flush()
    problem = Problem(topic_id=topic.id, number=1, description="问题")
    db.session.add(problem)
    db.session.flush()
    units = [world.proc, world.d_proc]
    responsibilities = []
    for unit in units:
        resp = Responsibility(problem_id=problem.id, lead_unit_id=unit.id)
        db.session.add(resp)
        responsibilities.append(resp)
    db.session.flush()
    for i in range(count):
        k = rng.randrange(2)
        due = start + dt.timedelta(days=rng.randrange(-40, days + 30))
        signed = None
        if rng.random() < 0.6:
            signed = at(due + dt.timedelta(days=rng.randrange(-25, 20)), rng.choice([1, 12, 23]))
        issued = rng.random() >= 0.05  # a few items of a revision still in draft: not counted
        state = "signed_off" if signed else rng.choice(["pending", "in_progress", "awaiting_signoff"])
        if not issued:
            state, signed = "pending", None
        done = 100 if state == "signed_off" else 0
        db.session.add(RectificationItem(
            topic_id=topic.id, responsibility_id=responsibilities[k].id, unit_id=units[k].id, measures=f"措施{i}",
            due_date=due, state=state, issued_in=1 if issued else None, signed_off_at=signed,
            reported_percent=done, accepted_percent=done))
    db.session.commit()


def seed_meetings(world, *, start: dt.date, days: int, count: int, seed: int = 9) -> None:
    """`count` meetings between the city NPC committee and procuratorate around the period, some held,
    some cancelled, and action items of the held ones due around it: done early or late, dropped, open."""
    from liaison.meetings.models import Meeting
    from liaison.minutes.models import ActionItem, Decision, Minutes

    rng = random.Random(seed)
    kinds = ["joint_meeting", "liaison_meeting", "consultation", "briefing"]
    for i in range(count):
        day = start + dt.timedelta(days=rng.randrange(-15, days + 10))
        state = rng.choice(["held", "held", "held", "scheduled", "cancelled"])
        m = Meeting(uid=f"stat-{seed}-{i}@test", kind=rng.choice(kinds), state=state, title=f"会议{i}",
                    starts_at=at(day, rng.choice([0, 9, 15])), ends_at=at(day, 17) + dt.timedelta(hours=7),
                    organiser_org_id=world.npc.id, counterpart_org_id=world.proc.id,
                    cancel_reason="改期" if state == "cancelled" else None)
        db.session.add(m)
        db.session.flush()
        if state != "held":
            continue
        minutes = Minutes(meeting_id=m.id, state="draft")
        db.session.add(minutes)
        db.session.flush()
        for j in range(rng.randrange(1, 4)):
            decision = Decision(minutes_id=minutes.id, position=j + 1, text=f"议定{i}-{j}")
            db.session.add(decision)
            db.session.flush()
            due = day + dt.timedelta(days=rng.randrange(0, 40))
            state_item = rng.choice(["open", "done", "done", "done", "dropped"])
            closed = at(due + dt.timedelta(days=rng.randrange(-20, 15)), rng.choice([1, 12])) \
                if state_item != "open" else None
            db.session.add(ActionItem(decision_id=decision.id, meeting_id=m.id, title=f"待办{i}-{j}",
                                      owner_org_id=rng.choice([world.npc.id, world.proc.id]), due_on=due,
                                      state=state_item, closed_at=closed,
                                      drop_reason="不再需要" if state_item == "dropped" else None))
    db.session.commit()


def _rate(hits, total, minimum):
    if total == 0 or total < minimum:
        return "样本不足"
    return f"{round(hits * 100 / total, 1):.1f}%"


def expected_rectification(start: dt.date, end: dt.date, minimum: int = 5) -> dict:
    """Completion, on-time sign-off and overdue of rectification items from the raw rows."""
    from issues.models import RectificationItem

    rows = [dict(m) for m in db.session.execute(sa.select(RectificationItem.__table__)).mappings()]
    rows = [r for r in rows if r["issued_in"] is not None]
    due = [r for r in rows if start <= r["due_date"] < end]
    completed = [r for r in due if r["signed_off_at"] and _local(r["signed_off_at"]) < end]
    signed = [r for r in rows if r["signed_off_at"] and start <= _local(r["signed_off_at"]) < end]
    on_time = [r for r in signed if _local(r["signed_off_at"]) <= r["due_date"]]
    live = [r for r in rows if r["due_date"] < end
            and not (r["signed_off_at"] and _local(r["signed_off_at"]) < start)]
    overdue = [r for r in live if not (r["signed_off_at"] and _local(r["signed_off_at"]) < end)]
    return {"due": len(due), "completion": _rate(len(completed), len(due), minimum),
            "completion_n": (len(completed), len(due)), "signoff": _rate(len(on_time), len(signed), minimum),
            "signoff_n": (len(on_time), len(signed)), "overdue_rate": _rate(len(overdue), len(live), minimum),
            "overdue_rate_n": (len(overdue), len(live)), "overdue": len(overdue)}


def expected_meetings(start: dt.date, end: dt.date, now: dt.datetime, minimum: int = 5) -> dict:
    """Meetings held and action items completed from the raw rows."""
    from liaison.meetings.models import Meeting
    from liaison.minutes.models import ActionItem

    meetings = [dict(m) for m in db.session.execute(sa.select(Meeting.__table__)).mappings()]
    meetings = [m for m in meetings if start <= _local(m["starts_at"]) < end]
    planned = [m for m in meetings if m["state"] != "cancelled" and m["starts_at"] < now]
    held = [m for m in planned if m["state"] == "held"]
    items = [dict(m) for m in db.session.execute(sa.select(ActionItem.__table__)).mappings()]

    def gone(r):  # dropped before the period's end
        return r["state"] == "dropped" and _local(r["closed_at"]) < end

    def done_on(r):
        return _local(r["closed_at"]) if r["state"] == "done" else None

    due = [r for r in items if start <= r["due_on"] < end and not gone(r)]
    completed = [r for r in due if done_on(r) and done_on(r) < end]
    done = [r for r in items if done_on(r) and start <= done_on(r) < end]
    on_time = [r for r in done if done_on(r) <= r["due_on"]]
    overdue = [r for r in items if r["due_on"] < end and not gone(r) and not (done_on(r) and done_on(r) < end)]
    return {"meetings": len(meetings), "held": _rate(len(held), len(planned), minimum),
            "held_n": (len(held), len(planned)), "due": len(due),
            "completion": _rate(len(completed), len(due), minimum), "completion_n": (len(completed), len(due)),
            "on_time": _rate(len(on_time), len(done), minimum), "on_time_n": (len(on_time), len(done)),
            "overdue": len(overdue)}
