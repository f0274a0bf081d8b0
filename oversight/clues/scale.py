"""The clue stage of `flask demo scale` (oversight/demo/scale/generate.STAGES): `profile.clues` clues
over the profile's years, bulk-inserted in chunks of one transaction each, deterministic for a seed
and resumable (a rerun counts the stage's rows and carries on after the last whole chunk).

Each committee of the profile receives its share, about half through its liaison stations. Old clues
are mostly triaged: converted ones point at a referral the committee sent of the 监督线索 type (the
referral stage made them), merged ones at an earlier clue of the same committee and category,
declined ones carry a reason. One audit entry per chunk records what the generator wrote (as the
referral stage's START/DONE markers do) rather than one per row.
"""
from __future__ import annotations

import datetime as dt
import random
import time

import sqlalchemy as sa

from ..db import db, utcnow
from ..orgs.models import Organisation, OrgKind
from ..referrals.models import Referral, ReferralType
from . import categories, services
from .demo import SUBJECTS
from .models import Clue
from .workflow import ClueSource, ClueState

CODE_MARK = "0"          # scale codes: XS<year>-0<7 digits>; the form never writes a 0 (not in its alphabet)
SECRET = "SCALE-DEMO-0000"
REASONS = ["经核实，该问题已由行政机关依法处理完毕，不再作为监督线索。",
           "反映的问题不属于检察机关法律监督范围，建议向有关部门反映。",
           "线索内容过于笼统，无法核实，欢迎补充具体情况后重新提交。"]
PLACES = ["某街道", "某镇", "某社区", "某村", "某工业园区", "某河段", "某景区", "某小区"]


def _scale_rows() -> sa.ColumnElement[bool]:
    return Clue.tracking_code.like(f"XS____-{CODE_MARK}%")


def clue_stage(ctx) -> int:
    profile = ctx.profile
    total = getattr(profile, "clues", 0)
    if not total:
        return 0
    rng_seed = ctx.seed * 7919 + 17
    committees = list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.NPC_COMMITTEE).order_by(Organisation.id)))
    stations = {c.id: [s.id for s in db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.LIAISON_STATION, Organisation.path.startswith(c.path))
        .order_by(Organisation.id)) if _committee_of(s, committees) == c.id] for c in committees}
    lead = db.session.scalar(sa.select(ReferralType.id).where(ReferralType.code == services.DEFAULT_REFERRAL_TYPE))
    referrals = {c.id: list(db.session.scalars(sa.select(Referral.id).where(
        Referral.sender_org_id == c.id, Referral.type_id == lead).order_by(Referral.id).limit(5000)))
        for c in committees}
    done = db.session.scalar(sa.select(sa.func.count()).select_from(Clue).where(_scale_rows())) or 0
    if done:
        base = db.session.scalar(sa.select(sa.func.min(Clue.id)).where(_scale_rows()))
        ctx.echo(f"clues: resuming after {done}")
    else:
        base = (db.session.scalar(sa.select(sa.func.max(Clue.id))) or 0) + 1
    until = dt.datetime.combine(ctx.until, dt.time(23, 0), tzinfo=dt.timezone.utc)
    span = (until - until.replace(year=until.year - profile.years)).total_seconds()
    first = until - dt.timedelta(seconds=span)
    secret_hash = services.hash_secret(SECRET, salt="scale")
    codes = list(categories.CATEGORIES)
    chunk = profile.chunk * 5
    # The last clue of each (committee, category) so far, for merges: rebuilt on resume from the rows.
    last_of: dict[tuple[int, str], int] = {}
    t0 = time.perf_counter()
    for start in range(done, total, chunk):
        end = min(start + chunk, total)
        rows = []
        for n in range(start, end):
            rng = random.Random(rng_seed + n)
            committee = committees[n % len(committees)] if n % 3 else committees[0]  # the city gets the most
            created = first + dt.timedelta(seconds=span * n / total + rng.random() * 60)
            category = codes[rng.randrange(len(codes))]
            subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
            own_stations = stations.get(committee.id) or []
            station = own_stations[rng.randrange(len(own_stations))] if own_stations and rng.random() < 0.5 else None
            age_days = (until - created).days
            state, reason, duplicate, referral, decided = ClueState.RECEIVED, None, None, None, None
            if age_days > 20:
                roll = rng.random()
                key = (committee.id, category)
                if roll < 0.25 and referrals.get(committee.id):
                    state = ClueState.CONVERTED
                    referral = referrals[committee.id][rng.randrange(len(referrals[committee.id]))]
                elif roll < 0.40 and key in last_of:
                    state, duplicate = ClueState.MERGED, last_of[key]
                elif roll < 0.75:
                    state, reason = ClueState.DECLINED, REASONS[rng.randrange(len(REASONS))]
                if state is not ClueState.RECEIVED:
                    decided = created + dt.timedelta(days=rng.randint(1, 15))
            ident = base + n
            last_of[(committee.id, category)] = ident
            has_contact = rng.random() < 0.4
            rows.append({
                "id": ident, "tracking_code": f"XS{created.year}-{CODE_MARK}{n:07d}", "secret_hash": secret_hash,
                "source": (ClueSource.STATION if station else ClueSource.PUBLIC).value, "station_org_id": station,
                "category": category, "title": subject[1], "place": PLACES[rng.randrange(len(PLACES))],
                "description": subject[2], "contact_name": "某先生" if has_contact else None,
                "contact_phone": f"139{n % 100_000_000:08d}" if has_contact else None, "contact_email": None,
                "state": state.value, "decline_reason": reason, "duplicate_of_id": duplicate,
                "referral_id": referral, "receiving_org_id": committee.id, "decided_at": decided,
                "created_at": created, "updated_at": decided or created, "version": 1})
        db.session.execute(sa.insert(Clue.__table__), rows)
        _mark(start, end)
        db.session.commit()
        rate = (end - done) / max(time.perf_counter() - t0, 1e-9)
        ctx.echo(f"clues {end:>8}/{total} ({100 * end // total:3d}%) · {rate:,.0f} clues/s")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('clues', 'id'), (SELECT coalesce(max(id), 1) FROM clues))"))
    ctx.counts["clues"] = total
    return total - done


# Resumes by counting its own rows, so it may also run on a database finished before the stage existed.
clue_stage.own_marker = True


def _committee_of(station: Organisation, committees) -> int | None:
    """The nearest committee above a station (by the longest path prefix)."""
    best = None
    for c in committees:
        if station.path.startswith(c.path) and (best is None or len(c.path) > len(best.path)):
            best = c
    return best.id if best is not None else None


def _mark(start: int, end: int) -> None:
    from ..demo.scale.chain import SYSTEM, Chain

    chain = Chain()
    chain.add("demo.scale.clues", at=utcnow(), actor=SYSTEM, object_type="clues", object_id="",
              summary={"from": start, "to": end})
    chain.flush()
