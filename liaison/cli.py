"""`flask liaison scale` fills the database with synthetic meetings at the sizing target (DESIGN.md §6:
20k meetings and their minutes, decisions and action items); `flask liaison bench` times the reads
that must stay fast at that size. Run on a copy with the demo data loaded, never in production."""
from __future__ import annotations

import datetime as dt
import random
import time
import uuid

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from oversight.accounts.models import User
from oversight.db import commit, db, utcnow
from oversight.orgs.queries import get_by_code
from .meetings import queries as meeting_queries
from .meetings.models import AgendaItem, Invitation, Meeting
from .minutes import queries as minutes_queries
from .minutes.models import ActionItem, Decision, Minutes

liaison_cli = AppGroup("liaison", help="Liaison meetings: scale data and benchmark.")
PAIRS = [("JZ-NPC", "JZ-P", "npc.liaison", ["proc.contact", "npc.reviewer", "proc.handler"]),
         ("JZ-NPC-JB", "JZ-P-JB", "jb.liaison", ["jb.contact", "jb.handler"]),
         ("JZ-NPC-NA", "JZ-P-NA", "na.liaison", ["na.contact"])]
CHUNK = 2000


def _insert(model, rows: list[dict]) -> list[int]:
    ids = []
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        result = db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                    rows[start:start + CHUNK])
        ids += [row[0] for row in result]
    return ids


@liaison_cli.command("scale")
@click.option("--meetings", "count", default=20_000, show_default=True)
@click.option("--seed", default=6, show_default=True)
def scale_command(count: int, seed: int) -> None:
    """Add COUNT synthetic past and future meetings with agenda, invitations, minutes and action items."""
    rng = random.Random(seed)
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    pairs = [(get_by_code(a), get_by_code(b), users[s], [users[i] for i in inv]) for a, b, s, inv in PAIRS]
    now, started = utcnow(), time.perf_counter()
    rows, plan = [], []
    for n in range(count):
        npc, proc, staff, invitees = rng.choice(pairs)
        starts = now - dt.timedelta(days=rng.randint(-60, 3650), hours=rng.randint(0, 8))
        past = starts < now
        rows.append(dict(uid=f"{uuid.uuid4()}@scale", kind=rng.choice(["joint_meeting", "liaison_meeting",
                                                                        "consultation", "briefing"]),
                         state="held" if past else "scheduled", title=f"规模测试会议 {n + 1}", starts_at=starts,
                         ends_at=starts + dt.timedelta(hours=2), place="会议室", online_url="", description="",
                         organiser_org_id=npc.id, counterpart_org_id=proc.id, created_by_id=staff.id, sequence=0,
                         created_at=now, updated_at=now, version=1))
        plan.append((past, invitees, proc, starts))
    meeting_ids = _insert(Meeting, rows)
    _insert(AgendaItem, [dict(meeting_id=m, position=p, title=f"议程 {p}", discussion="") for m in meeting_ids
                         for p in (1, 2, 3)])
    _insert(Invitation, [dict(meeting_id=m, user_id=u.id, response="accepted", created_at=now, version=1,
                              attended=past or None) for m, (past, invitees, *_r) in zip(meeting_ids, plan)
                         for u in invitees])
    held = [(m, proc, starts) for m, (past, _i, proc, starts) in zip(meeting_ids, plan) if past]
    minutes_ids = _insert(Minutes, [dict(meeting_id=m, state="approved", summary="", approved_at=now, created_at=now,
                                         updated_at=now, version=1) for m, *_r in held])
    decision_ids = _insert(Decision, [dict(minutes_id=mid, position=1, text="议定事项", owner_org_id=proc.id,
                                           due_on=(starts + dt.timedelta(days=30)).date())
                                      for mid, (_m, proc, starts) in zip(minutes_ids, held)])
    _insert(ActionItem, [dict(decision_id=d, meeting_id=m, title="议定事项", owner_org_id=proc.id,
                              due_on=(starts + dt.timedelta(days=30)).date(),
                              state="open" if starts > now - dt.timedelta(days=90) else "done",
                              closed_at=None if starts > now - dt.timedelta(days=90) else now,
                              done_note="", created_at=now, version=1)
                         for d, (m, proc, starts) in zip(decision_ids, held)])
    commit()
    click.echo(f"{count} meetings ({len(held)} with approved minutes and an action item) "
               f"in {time.perf_counter() - started:.1f} s")


def _timed(label: str, func, repeat: int = 5) -> None:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    click.echo(f"  {label:<44} {best * 1000:8.1f} ms  ({len(result)} rows)")


@liaison_cli.command("bench")
@click.option("--user", "username", default="npc.liaison", show_default=True)
def bench_command(username: str) -> None:
    """Time the calendar month, the conflict check, the feed and the action-item list for one user."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    now = utcnow()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))
    click.echo(f"{total} meetings; best of 5, as {username}:")
    _timed("calendar month (queries.between)", lambda: meeting_queries.between(user, now, now + dt.timedelta(days=31)))
    _timed("conflicts of one invitee", lambda: meeting_queries.conflicts(user.id, now, now + dt.timedelta(hours=2)))
    _timed("personal feed (last 180 days on)", lambda: meeting_queries.for_feed(user.id, since=now - dt.timedelta(days=180)))
    _timed("open action items (list)", lambda: minutes_queries.action_items(user))
    _timed("upcoming meetings", lambda: meeting_queries.upcoming(user, now=now))
