"""The `demo scale` run: people first, then referrals in chunks of one transaction each.

Referrals are made in the order they were created; each one's whole life is simulated at once, and
its events and audit entries wait in a heap until no later-created referral can write anything
earlier — so the timeline's ids and the audit chain both run in time order. A chunk's referrals,
the events and entries released by it, and the chain head commit together: an interrupted run
resumes after the last whole chunk by re-simulating (not re-writing) what came before.

Extension point: `STAGES` — later packages (clues, rectification items, meetings) name a function
`stage(ctx: Context) -> int` that makes its own rows the same way, using `ctx.chain` for audit.
"""
from __future__ import annotations

import datetime as dt
import heapq
import importlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from ...audit.models import AuditEntry
from ...db import db, utcnow
from ...referrals.models import Referral, ReferralEvent, ReferralType, SerialCounter
from ...workdays import today
from .chain import SYSTEM, Chain
from .lives import Simulator
from .people import casts, ensure_deputies, ensure_organisations, ensure_staff
from .profiles import Profile

START, DONE = "demo.scale.start", "demo.scale.done"


@dataclass
class Context:
    profile: Profile
    seed: int
    until: dt.date
    echo: Callable[[str], None]
    counts: dict[str, int] = field(default_factory=dict)


def marker(action: str) -> dict | None:
    summary = db.session.scalar(sa.select(AuditEntry.summary).where(AuditEntry.action == action)
                                .order_by(AuditEntry.seq.desc()).limit(1))
    return json.loads(summary) if summary else None


def run(profile: Profile, seed: int, echo: Callable[[str], None], commit: Callable[[], None]) -> Context:
    """Build `profile`; safe to run again (does nothing once done) and to resume after a crash."""
    started = marker(START)
    if started and (started["profile"], started["seed"]) != (profile.name, seed):
        raise ValueError(f"this database holds the {started['profile']} profile with seed {started['seed']}; "
                         "use an empty database for another")
    t0 = time.perf_counter()
    orgs = ensure_organisations(profile)
    staff = ensure_staff(profile)
    commit()
    deputies = ensure_deputies(profile, seed)
    commit()
    echo(f"people: {orgs} organisations and {deputies} deputies added ({time.perf_counter() - t0:.1f} s)")
    if started is None:
        counters = {f"{o}:{y}": last for o, y, last in db.session.execute(
            sa.select(SerialCounter.organisation_id, SerialCounter.year, SerialCounter.last))}
        started = {"profile": profile.name, "seed": seed, "until": (today() - dt.timedelta(days=1)).isoformat(),
                   "first_id": (db.session.scalar(sa.select(sa.func.max(Referral.id))) or 0) + 1,
                   "counters": counters}
        chain = Chain()
        chain.add(START, at=utcnow(), actor=SYSTEM, object_type="", object_id="", summary=started)
        chain.flush()
        commit()
    ctx = Context(profile, seed, dt.date.fromisoformat(started["until"]), echo)
    if marker(DONE):
        # Stages that keep their own done marker run on a database built before they existed.
        made = 0
        for stage in [s for s in _stages() if getattr(s, "own_marker", False)]:
            made += stage(ctx) or 0
            commit()
        echo("scale data already complete" + ("" if made else "; nothing to do"))
        return ctx
    ctx.counts["referrals"] = _referrals(ctx, started, staff, commit)
    for stage in _stages():
        stage(ctx)
        commit()
    _finish(ctx, started)
    commit()
    echo(f"done in {time.perf_counter() - t0:.1f} s")
    return ctx


def _created(profile: Profile, until: dt.date, sim: Simulator) -> Callable[[int], dt.datetime]:
    """Creation moments spread evenly over the working days of `profile.years` up to `until`."""
    first = until.replace(year=until.year - profile.years) + dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range((until - first).days + 1)]
    days = [d for d in days if sim.cal.is_working_day(d)]
    n_total = profile.referrals

    def created(n: int) -> dt.datetime:
        index = n * len(days) // n_total
        first_n = -(-index * n_total // len(days))          # the first n that falls on this day
        per_day = -(-n_total // len(days))
        day = days[index]
        return dt.datetime(day.year, day.month, day.day, 0, 30, tzinfo=dt.timezone.utc) + dt.timedelta(
            seconds=(n - first_n) * (8 * 3600 // per_day))
    return created


def _referrals(ctx: Context, started: dict, staff, commit) -> int:
    profile, first_id = ctx.profile, started["first_id"]
    types = list(db.session.scalars(sa.select(ReferralType).order_by(ReferralType.id)))
    counters = {tuple(map(int, k.split(":"))): v for k, v in started["counters"].items()}
    sim = Simulator(types, casts(profile, staff, ctx.seed), until=ctx.until, seed=ctx.seed, counters=counters)
    created = _created(profile, ctx.until, sim)
    done = db.session.scalar(sa.select(sa.func.count()).select_from(Referral).where(Referral.id >= first_id))
    heap: list[tuple] = []
    for n in range(done):   # resuming: the earlier chunks' lives again, to rebuild the heap and serials
        for entry in sim.life(n, first_id + n, created(n)).entries:
            heapq.heappush(heap, entry)
    if done:
        cutoff = created(done - 1)
        while heap and heap[0][0] <= cutoff:
            heapq.heappop(heap)
        ctx.echo(f"resuming after {done} referrals")
    next_event = (db.session.scalar(sa.select(sa.func.max(ReferralEvent.id))) or 0) + 1
    t0, events_written, entries_written = time.perf_counter(), 0, 0
    for start in range(done, profile.referrals, profile.chunk):
        end = min(start + profile.chunk, profile.referrals)
        lives = [sim.life(n, first_id + n, created(n)) for n in range(start, end)]
        db.session.execute(sa.insert(Referral.__table__), [life.row() for life in lives])
        for life in lives:
            for entry in life.entries:
                heapq.heappush(heap, entry)
        cutoff = created(end - 1) if end < profile.referrals else dt.datetime.max.replace(tzinfo=dt.timezone.utc)
        chain, events = Chain(), []
        while heap and heap[0][0] <= cutoff:
            at, n, _k, event, (action, actor, summary) = heapq.heappop(heap)
            if event is not None:
                events.append({**event, "id": next_event})
                next_event += 1
            chain.add(action, at=at, actor=actor, object_type="referrals", object_id=first_id + n, summary=summary)
        if events:
            db.session.execute(sa.insert(ReferralEvent.__table__), events)
        chain.flush()
        commit()
        events_written += len(events)
        entries_written += chain.written
        rate = (end - done) / max(time.perf_counter() - t0, 1e-9)
        ctx.echo(f"referrals {end:>7}/{profile.referrals} ({100 * end // profile.referrals:3d}%) · "
                 f"{events_written} events · {entries_written} audit entries · {rate:,.0f} referrals/s")
    ctx.counts.update(events=events_written, audit_entries=entries_written)
    _save_counters(counters)
    return profile.referrals - done


def _save_counters(counters: dict[tuple[int, int], int]) -> None:
    """The serial counters where the generated serials end, so the app's next serial follows them."""
    table = SerialCounter.__table__
    existing = {(o, y) for o, y in db.session.execute(sa.select(table.c.organisation_id, table.c.year))}
    for (org_id, year), last in sorted(counters.items()):
        if (org_id, year) in existing:
            db.session.execute(sa.update(table).where(table.c.organisation_id == org_id, table.c.year == year)
                               .values(last=sa.func.max(table.c.last, last) if db.engine.dialect.name == "sqlite"
                                       else sa.func.greatest(table.c.last, last)))
        else:
            db.session.execute(sa.insert(table).values(organisation_id=org_id, year=year, last=last))


def _finish(ctx: Context, started: dict) -> None:
    if db.engine.dialect.name == "postgresql":   # explicit ids were inserted: move the sequences past them
        for table in ("referrals", "referral_events", "users"):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"))
    # Fresh planner statistics: after a bulk load the planners' guesses are far off until ANALYZE.
    db.session.execute(sa.text("ANALYZE"))
    chain = Chain()
    chain.add(DONE, at=utcnow(), actor=SYSTEM, object_type="", object_id="",
              summary={"profile": ctx.profile.name, "seed": ctx.seed, **ctx.counts})
    chain.flush()


# Later generators (topics and rectification items, clues, meetings): functions taking the Context, given as
# "module:function" so the packages outside `oversight` are imported only when the generator runs. A stage
# whose function has `own_marker = True` records its own completion and also runs on a database completed
# before it existed.
STAGES: list[str] = ["issues.scale:stage", "oversight.clues.scale:clue_stage", "liaison.scale:stage"]


def _stages() -> list[Callable[[Context], int]]:
    found = []
    for spec in STAGES:
        module, name = spec.split(":")
        found.append(getattr(importlib.import_module(module), name))
    return found
