"""One referral's life, step by step: each step is looked up in the workflow table, sets what the
service of the same name sets, computes due dates with the type's deadline rules, and yields the
timeline event and the audit entry the service would have written. Nothing is written here.

Steps stop at `until` (yesterday): what is old has mostly finished, what is recent is still open —
and, as in life, some of it late. Deterministic: each referral draws from its own seeded generator.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
from types import SimpleNamespace

from ...referrals import labels
from ...referrals.deadlines import DueKind, current_due_of, due, rehandling_due
from ...referrals.models import Referral, ReferralType
from ...referrals.workflow import Action, Direction, Evaluation, Outcome, State, transition
from ...workdays import current_calendar
from .. import data
from .chain import SYSTEM, Actor
from .people import Cast

A = Action
REPLIES = ["经调查核实，已督促相关单位整改到位，并建立长效机制。", "已依法立案审查，现将办理进展答复如下。",
           "已组织专题研究，相关工作列入明年工作计划。", "已与代表面商沟通，代表对办理措施表示认可。"]
OUTCOMES = [Outcome.RESOLVED, Outcome.RESOLVED, Outcome.IN_PROGRESS, Outcome.PLANNED, Outcome.FOR_REFERENCE]
COLUMNS = [c.name for c in Referral.__table__.columns]


class Life:
    """A referral as a plain namespace (what `deadlines.current_due_of` reads) plus what it wrote."""

    def __init__(self, n: int, rid: int, created_at: dt.datetime):
        self.n, self.r = n, SimpleNamespace(**{**dict.fromkeys(COLUMNS), "id": rid})
        self.entries: list[tuple] = []   # (at, n, k, event row or None, (action, actor, summary))
        self.clock = created_at

    def row(self) -> dict:
        return {c: getattr(self.r, c) for c in COLUMNS}


class Simulator:
    def __init__(self, types: list[ReferralType], casts: list[Cast], *, until: dt.date, seed: int,
                 counters: dict[tuple[int, int], int]):
        self.until, self.seed, self.counters = until, seed, counters
        self.cal = current_calendar()
        # Memoise the calendar's day lookups for this run (the deadline rules call them thousands of
        # times per period); the calendar's overrides do not change while the generator runs.
        self.cal.day = functools.lru_cache(maxsize=None)(self.cal.day)
        self.casts, self.weights = casts, [c.share for c in casts]
        self.types = {d: [t for t in types if t.direction is d and t.active] for d in Direction}
        self.letter_subjects = data.REFERRAL_SUBJECTS
        self._due: dict[tuple, dt.date | None] = {}
        self._working: dict[dt.date, dt.date] = {}

    # --- cached calendar arithmetic ---------------------------------------------------------------

    def due(self, rtype: ReferralType, kind: DueKind | str, day: dt.date) -> dt.date | None:
        key = (rtype.id, kind, day)
        if key not in self._due:
            self._due[key] = rehandling_due(rtype, day) if kind == "rehandling" else due(rtype, kind, day)
        return self._due[key]

    def workday(self, day: dt.date) -> dt.date:
        """`day`, or the next working day after it."""
        if day not in self._working:
            d = day
            while not self.cal.is_working_day(d):
                d += dt.timedelta(days=1)
            self._working[day] = d
        return self._working[day]

    # --- one referral --------------------------------------------------------------------------------

    def life(self, n: int, rid: int, created_at: dt.datetime) -> Life:
        rng = random.Random(f"{self.seed}:{n}")
        life = Life(n, rid, created_at)
        direction = Direction.PROCURATORATE_TO_NPC if rng.random() < 0.25 else Direction.NPC_TO_PROCURATORATE
        rtype = rng.choice(self.types[direction])
        cast = rng.choices(self.casts, self.weights)[0]
        npc_side = direction is Direction.NPC_TO_PROCURATORATE
        prefix, suffix, subjects = self.letter_subjects.get(rtype.code, ("", "", [rtype.name]))
        title = f"{prefix}{rng.choice(subjects)}{suffix}"
        author = cast.liaison if npc_side else cast.contact
        r = life.r
        r.__dict__.update(
            direction=direction, type_id=rtype.id, state=State.DRAFT, round=1,
            classification=rtype.default_classification, title=title,
            body=f"{title}。现将有关情况移送贵单位，请依法办理并按期反馈。" if npc_side else f"{title}。现将有关情况报送，请审阅。",
            sender_org_id=(cast.npc if npc_side else cast.proc).id, receiver_org_id=(cast.proc if npc_side else cast.npc).id,
            created_by_id=author.id, deputy_id=rng.choice(cast.deputies).id if rtype.requires_deputy else None,
            client_token=f"scale-{self.seed}-{n:07d}", evaluation_reminded=False, extensions_granted=0, urge_count=0,
            created_at=created_at, updated_at=created_at, version=1)
        life.entries.append((created_at, n, 0, None, ("referral.create", author, {"type": rtype.code, "title": title})))
        if rng.random() < 0.01:
            return life   # a draft never sent
        if npc_side:
            self._npc_to_procuratorate(life, rtype, cast, author, rng)
        else:
            self._procuratorate_to_npc(life, rtype, cast, author, rng)
        return life

    def _at(self, life: Life, day: dt.date, rng: random.Random) -> dt.datetime | None:
        """A moment in office hours (Asia/Shanghai) on the working day `day` or after, after the last
        step; None once that lies beyond `until`."""
        day = self.workday(max(day, life.clock.date()))
        if day > self.until:
            return None
        moment = dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
            minutes=rng.randint(0, 480))
        if moment <= life.clock:
            moment = life.clock + dt.timedelta(minutes=rng.randint(5, 90))
        life.clock = moment
        return moment

    def _step(self, life: Life, action: Action, at: dt.datetime, actor: Actor, *, note: str = "",
              target: State | None = None, summary: dict | None = None) -> None:
        """`services.apply`: the workflow table's target, the open step's due date, event, audit."""
        r = life.r
        rule = transition(r.direction, r.state, action)
        before, due_before = r.state, r.current_due
        r.state = target or rule.target or r.state
        r.current_due = current_due_of(r)
        r.updated_at, r.version = at, r.version + 1
        event = dict(referral_id=r.id, action=action.value, from_state=before.value, to_state=r.state.value,
                     actor_id=actor.id, actor_label=actor.name, side=actor.side, at=at, note=note,
                     due_before=due_before, due_after=r.current_due, round=r.round)
        life.entries.append((at, life.n, len(life.entries), event, (f"referral.{action.value}", actor, {
            "serial": r.serial, "from": before.value, "to": r.state.value,
            "due": r.current_due.isoformat() if r.current_due else None, **(summary or {})})))

    def _send(self, life: Life, rtype: ReferralType, at: dt.datetime, prefix: str) -> None:
        """`services.send`'s serial and `_start_clock`."""
        r, day = life.r, at.date()
        if r.serial is None:
            key = (r.sender_org_id, day.year)
            self.counters[key] = self.counters.get(key, 0) + 1
            r.serial = f"{prefix}-{day.year}-{self.counters[key]:04d}"
        r.sent_at, r.ack_due = at, self.due(rtype, DueKind.ACK, day)
        if r.direction is Direction.NPC_TO_PROCURATORATE:
            r.result_due, r.cap_due = self.due(rtype, DueKind.RESULT, day), self.due(rtype, DueKind.CAP, day)
            if r.cap_due and r.result_due > r.cap_due:
                r.result_due = r.cap_due

    def _late(self, rng: random.Random, start: dt.date, due_on: dt.date | None, *, late: float, span: int) -> dt.date:
        """A day after `start`: before `due_on` mostly, after it with probability `late`."""
        if due_on is None or due_on <= start:
            return start + dt.timedelta(days=rng.randint(0, span))
        if rng.random() < late:
            return due_on + dt.timedelta(days=rng.randint(1, span))
        return start + dt.timedelta(days=rng.randint(0, (due_on - start).days))

    def _npc_to_procuratorate(self, life: Life, rtype: ReferralType, cast: Cast, author: Actor, rng) -> None:
        r = life.r
        at = self._at(life, life.clock.date() + dt.timedelta(days=rng.randint(0, 2)), rng)
        if at is None:
            return
        self._send(life, rtype, at, cast.npc.serial_prefix or cast.npc.code)
        self._step(life, A.SEND, at, author)
        receiver = cast
        if rng.random() < 0.03:
            if (at := self._at(life, at.date() + dt.timedelta(days=1), rng)) is not None:
                self._step(life, A.WITHDRAW, at, author, note="情况已发生变化，暂不移送。")
                self._archive(life, cast.liaison, rng, 0.5)
            return
        if rng.random() < 0.05:   # wrong jurisdiction: returned, then mostly sent on elsewhere
            other = rng.choice([c for c in self.casts if c is not cast])
            if (at := self._at(life, self._late(rng, at.date(), r.ack_due, late=0.1, span=10), rng)) is None:
                return
            r.return_reason, r.suggested_receiver_id = "该事项不属于本院管辖。", other.proc.id
            self._step(life, A.RETURN, at, cast.contact, note=r.return_reason,
                       summary={"suggested_receiver": other.proc.code})
            if rng.random() < 0.4:
                self._archive(life, cast.liaison, rng, 1.0)
                return
            if (at := self._at(life, at.date() + dt.timedelta(days=rng.randint(1, 5)), rng)) is None:
                return
            r.receiver_org_id, r.acknowledged_at, r.procedural_due = other.proc.id, None, None
            self._send(life, rtype, at, "")
            self._step(life, A.RESEND, at, cast.liaison, note=f"原接收单位：{cast.proc.name}",
                       summary={"receiver": other.proc.code})
            receiver = other
        contact = receiver.contact
        if (at := self._at(life, self._late(rng, at.date(), r.ack_due, late=0.08, span=10), rng)) is None:
            return
        r.acknowledged_at, r.procedural_due = at, self.due(rtype, DueKind.PROCEDURAL, at.date())
        self._step(life, A.ACKNOWLEDGE, at, contact)
        if (at := self._at(life, self._late(rng, at.date(), r.procedural_due, late=0.05, span=10), rng)) is None:
            return
        r.procedural_reply, r.accepted_at = "已收悉并受理，将依法办理并按期答复。", at
        self._step(life, A.ACCEPT, at, contact, note=r.procedural_reply)
        if (at := self._at(life, at.date() + dt.timedelta(days=rng.randint(0, 3)), rng)) is None:
            return
        department, handler = rng.choice(receiver.units)
        r.department_id, r.handler_id, r.assigned_at = department.id, handler.id, at
        self._step(life, A.ASSIGN, at, contact, note=f"交由{department.name}（{handler.name}）办理",
                   summary={"department": department.code, "handler": handler.label.split("（")[-1].rstrip("）")})
        while True:
            reply_on = self._late(rng, at.date() + dt.timedelta(days=3), r.result_due, late=0.12, span=40)
            if r.result_due and reply_on > r.result_due + dt.timedelta(days=5) and rng.random() < 0.6:
                urge_at = self._at(life, r.result_due + dt.timedelta(days=3), rng)
                if urge_at is None:
                    return
                r.urge_count += 1
                self._step(life, A.URGE, urge_at, cast.liaison, note="该事项已逾期，请抓紧办理并及时反馈。",
                           summary={"urge_count": r.urge_count})
            if (at := self._at(life, reply_on, rng)) is None:
                return
            outcome = rng.choice(OUTCOMES)
            r.reply_text, r.outcome, r.replied_at = rng.choice(REPLIES), outcome, at
            r.evaluation_due, r.evaluation_reminded = self.due(rtype, DueKind.EVALUATION, at.date()), False
            self._step(life, A.REPLY, at, rng.choice([contact, handler]), note=r.reply_text,
                       summary={"outcome": outcome.value})
            if rng.random() < 0.06:   # no evaluation: the sweep reminds, then closes as 未反馈
                if (at := self._at(life, r.evaluation_due + dt.timedelta(days=rng.randint(1, 3)), rng)) is None:
                    return
                r.evaluation_reminded, r.evaluation, r.evaluation_due, r.closed_at = True, Evaluation.NO_FEEDBACK, None, at
                self._step(life, A.CLOSE_WITHOUT_FEEDBACK, at, SYSTEM, note="评价期限届满未反馈，按未反馈办结。")
                break
            if (at := self._at(life, self._late(rng, at.date() + dt.timedelta(days=1), r.evaluation_due,
                                                late=0.0, span=5), rng)) is None:
                return
            evaluator = cast.liaison
            r.evaluated_at, r.evaluation_due = at, None
            if rtype.dissatisfied_reopens and r.round <= rtype.max_rehandling_rounds and rng.random() < 0.08:
                reasons = "整改措施不够具体，请补充办理。"
                r.evaluation, r.evaluation_reasons = Evaluation.DISSATISFIED, reasons
                r.round += 1
                r.result_due, r.replied_at = self.due(rtype, "rehandling", at.date()), None
                self._step(life, A.EVALUATE, at, evaluator, target=State.IN_PROGRESS,
                           note=f"不满意，重新办理（第 {r.round} 轮）：{reasons}",
                           summary={"evaluation": Evaluation.DISSATISFIED.value, "round": r.round})
                continue
            evaluation = rng.choice([Evaluation.SATISFIED, Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED])
            r.evaluation, r.evaluation_reasons, r.closed_at = evaluation, None, at
            self._step(life, A.EVALUATE, at, evaluator, target=State.CLOSED, note=str(labels.evaluation(evaluation)),
                       summary={"evaluation": evaluation.value})
            break
        self._archive(life, cast.liaison, rng, 0.6)

    def _procuratorate_to_npc(self, life: Life, rtype: ReferralType, cast: Cast, author: Actor, rng) -> None:
        r = life.r
        at = self._at(life, life.clock.date() + dt.timedelta(days=rng.randint(0, 2)), rng)
        if at is None:
            return
        self._send(life, rtype, at, cast.proc.serial_prefix or cast.proc.code)
        self._step(life, A.SUBMIT, at, author)
        if rng.random() < 0.03:
            if (at := self._at(life, at.date() + dt.timedelta(days=1), rng)) is not None:
                self._step(life, A.WITHDRAW, at, author, note="报告内容需要更新，撤回后重新报送。")
                self._archive(life, cast.contact, rng, 0.5)
            return
        if (at := self._at(life, self._late(rng, at.date(), r.ack_due, late=0.08, span=10), rng)) is None:
            return
        r.acknowledged_at = at
        self._step(life, A.RECEIVE, at, cast.liaison)
        if rng.random() < 0.4:
            if (at := self._at(life, at.date() + dt.timedelta(days=rng.randint(1, 10)), rng)) is None:
                return
            r.session_date = self.workday(at.date() + dt.timedelta(days=rng.randint(28, 56)))
            self._step(life, A.SCHEDULE, at, cast.liaison, note=f"列入 {r.session_date.isoformat()} 常委会会议审议")
            next_day, note = r.session_date, "已审议，存档备查。"
        else:
            next_day, note = at.date() + dt.timedelta(days=rng.randint(1, 20)), "已阅知，存档备查。"
        if (at := self._at(life, next_day, rng)) is None:
            return
        r.closed_at = at
        self._step(life, A.RECORD, at, cast.liaison, note=note)
        self._archive(life, cast.liaison, rng, 0.5)

    def _archive(self, life: Life, actor: Actor, rng: random.Random, chance: float) -> None:
        if rng.random() < chance and (at := self._at(life, life.clock.date() + dt.timedelta(
                days=rng.randint(10, 90)), rng)) is not None:
            self._step(life, A.ARCHIVE, at, actor)
