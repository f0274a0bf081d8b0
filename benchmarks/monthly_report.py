"""Monthly report at municipality scale: time and peak memory of statistics, PDF and XLSX.

    python benchmarks/monthly_report.py --url sqlite:////tmp/bench.sqlite3 [--referrals 200000]

Builds the schema with the real migrations, bulk-inserts ~90 organisations and `--referrals`
referrals spread over ten years (the DESIGN.md sizing target), then produces the monthly report for
the latest complete month as the scheduler would, and prints one Markdown table row per step.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SH = ZoneInfo("Asia/Shanghai")


def build(app, referrals: int) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from oversight.db import db
    from oversight.orgs.models import Organisation
    from oversight.referrals.models import Referral, ReferralType

    upgrade()
    if db.session.scalar(sa.select(sa.func.count()).select_from(Referral)):
        return
    rows, ids = [], []
    for i in range(45):
        for kind, side in (("npc_committee", "N"), ("procuratorate", "P")):
            rows.append({"id": len(rows) + 1, "code": f"B{side}{i}", "name": f"基准{'人大' if side == 'N' else '检察院'}{i}",
                         "kind": kind, "level": "county", "path": f"/91/{len(rows) + 1}/", "parent_id": 91,
                         "active": True})
    # A municipal committee over all 90 (reports cover one institution's subtree), inserted first.
    rows.insert(0, {"id": 91, "code": "BROOT", "name": "基准市人大常委会", "kind": "npc_committee", "level": "city",
                    "path": "/91/", "active": True})
    columns = {c.name for c in Organisation.__table__.columns}
    defaults = {c.name: (c.default.arg if c.default is not None and not callable(c.default.arg) else None)
                for c in Organisation.__table__.columns}
    db.session.execute(sa.insert(Organisation.__table__), [
        {**{k: v for k, v in defaults.items() if v is not None}, **{k: v for k, v in r.items() if k in columns}}
        for r in rows])
    types = {d: [t.id for t in db.session.scalars(sa.select(ReferralType).where(ReferralType.direction == d))]
             for d in ("npc_to_procuratorate", "procuratorate_to_npc")}
    rng = random.Random(1)
    end = dt.date.today().replace(day=1)
    start = end - dt.timedelta(days=3650)
    batch = []
    now = dt.datetime.now(dt.timezone.utc)
    for n in range(referrals):
        pair = rng.randrange(45)
        npc, proc = 2 * pair + 1, 2 * pair + 2
        direction = "npc_to_procuratorate" if rng.random() < 0.8 else "procuratorate_to_npc"
        day = start + dt.timedelta(days=rng.randrange((end - start).days + 25))
        sent = dt.datetime.combine(day, dt.time(rng.randrange(8, 18)), SH).astimezone(dt.timezone.utc)
        ack = sent + dt.timedelta(days=rng.randrange(0, 6))
        acc = ack + dt.timedelta(days=rng.randrange(0, 8))
        rep = acc + dt.timedelta(days=rng.randrange(5, 90))
        ev = rep + dt.timedelta(days=rng.randrange(1, 15))
        done = ev < now
        batch.append(dict(
            direction=direction, type_id=rng.choice(types[direction]), title=f"基准事项{n}", body="正文",
            sender_org_id=npc if direction == "npc_to_procuratorate" else proc,
            receiver_org_id=proc if direction == "npc_to_procuratorate" else npc,
            state="closed" if done else "in_progress", round=1 + (rng.random() < 0.1), classification="internal",
            reply_text="答复", sent_at=sent, acknowledged_at=ack if ack < now else None,
            accepted_at=acc if acc < now and direction == "npc_to_procuratorate" else None,
            replied_at=rep if done and direction == "npc_to_procuratorate" else None,
            evaluated_at=ev if done and direction == "npc_to_procuratorate" else None,
            evaluation=rng.choice(["satisfied", "basically_satisfied", "dissatisfied", "no_feedback"])
            if done and direction == "npc_to_procuratorate" else None,
            ack_due=day + dt.timedelta(days=5), procedural_due=day + dt.timedelta(days=12),
            result_due=day + dt.timedelta(days=90) if direction == "npc_to_procuratorate" else None,
            current_due=None if done else day + dt.timedelta(days=90),
            created_at=sent, updated_at=sent, urge_count=0, extensions_granted=0, evaluation_reminded=False,
            version=1))
        if len(batch) == 5000:
            db.session.execute(sa.insert(Referral.__table__), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Referral.__table__), batch)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--referrals", type=int, default=200_000)
    args = parser.parse_args()
    os.environ.setdefault("OVERSIGHT_INSTANCE_PATH", "/tmp/bench-instance")
    from oversight import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        t = time.perf_counter()
        build(app, args.referrals)
        print(f"data ready in {time.perf_counter() - t:.1f} s")
        from reports import definitions, rendering
        from reports.statistics import Period, PeriodKind

        period = Period.containing(PeriodKind.MONTH, dt.date.today()).previous()
        definition = definitions.get("monthly")
        # A report covers one institution's subtree: the top of the tree covers the municipality.
        from oversight.db import db
        from oversight.orgs.models import Organisation

        top = db.session.get(Organisation, 91)
        with app.test_request_context():
            steps = {}
            t = time.perf_counter()
            data = definition.data(period, top)
            steps["statistics"] = time.perf_counter() - t
            t = time.perf_counter()
            pdf = rendering.pdf(definition, period, data)
            steps["charts + PDF"] = time.perf_counter() - t
            t = time.perf_counter()
            xlsx = rendering.xlsx(definition, period, data)
            steps["XLSX"] = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        engine = args.url.split(":")[0]
        sent = data["stats"].table("overview").rows[0].values[0]
        print(f"| {engine} | {args.referrals:,} | {period.key} ({sent} sent) | "
              + " | ".join(f"{v:.1f} s" for v in steps.values())
              + f" | {sum(steps.values()):.1f} s | {peak:.0f} MB | {len(pdf) // 1024} KB / {len(xlsx) // 1024} KB |")


if __name__ == "__main__":
    main()
