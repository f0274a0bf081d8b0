"""Every supervision model over a municipality-sized database: time and peak memory per model, and how
the near-duplicate clue model scales (100k / 300k / 1M clues) with the recall of planted rephrasings.

    nice -n 10 .venv/bin/python benchmarks/models.py --url sqlite:////tmp/models-bench.sqlite3 \
        [--referrals 200000] [--items 100000] [--clues 1000000] [--scaling 100000,300000,1000000]

Builds the schema with the real migrations and bulk-inserts (once; reruns reuse the data): ~90
organisations, referrals over ten years with their evaluation events and governance notices, topics
with 100k rectification items and progress reports, and `--clues` clues over ten years, 1 % of them
rephrasings of an earlier clue (the planted duplicates, kept in a side file to measure recall).
Each measurement runs in its own process, so its peak RSS is its own (`ru_maxrss`; the app alone is
reported as the baseline). Prints Markdown table rows.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PERIOD = dt.date.today().isoformat()
PLACES = [f"{d}{s}" for d in ("江北区", "渝中区", "南岸区", "沙坪坝区", "九龙坡区", "大渡口区", "北碚区", "巴南区",
                              "渝北区", "长寿区", "江津区", "合川区", "永川区", "南川区", "綦江区", "大足区",
                              "璧山区", "铜梁区", "潼南区", "荣昌区")
          for s in ("", "某街道", "某镇", "某社区", "某村", "工业园", "开发区", "某小区", "城区", "郊区")]
CATEGORIES = ["public_interest", "judicial_conduct", "case_handling", "minors", "administrative", "other"]
CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
         "后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它"
         "合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条"
         "只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资"
         "边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北"
         "造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车"
         "例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫")
_vocab = random.Random(5)
WORDS = sorted({_vocab.choice(CHARS) + _vocab.choice(CHARS) for _ in range(6000)})   # ~5,800 two-character words
SUBJECTS = ["非法排污", "消防通道被占", "拖欠工资", "违规收费", "占用耕地", "食品安全", "校园欺凌", "养老诈骗",
            "违法建设", "噪声扰民", "执行拖延", "立案不当", "非法集资", "医疗纠纷", "物业纠纷", "环境污染"]


def _table_defaults(table, now):
    out = {}
    for c in table.columns:
        if c.default is None or c.primary_key:
            continue
        out[c.name] = now if callable(c.default.arg) else c.default.arg
    return out


def clue_text(rng: random.Random) -> tuple[str, str, str, str]:
    place, subject = rng.choice(PLACES), rng.choice(SUBJECTS)
    words = [rng.choice(WORDS) for _ in range(rng.randrange(25, 45))]
    for cut in sorted(rng.sample(range(5, len(words)), 3), reverse=True):
        words.insert(cut, "，")
    return rng.choice(CATEGORIES), place, f"{place}{subject}", place + subject + "".join(words) + "。"


def rephrase(rng: random.Random, text: str) -> str:
    """The same matter in other words: a prefix, ~10 % of the words replaced, a few dropped, punctuation changed."""
    body = text.rstrip("。")
    parts = [body[i:i + 2] for i in range(0, len(body), 2)]
    out = []
    for p in parts:
        roll = rng.random()
        if roll < 0.07:
            out.append(rng.choice(WORDS))
        elif roll < 0.10:
            continue
        else:
            out.append(p)
    return rng.choice(["反映：", "举报：", "再次反映，", ""]) + "".join(out).replace("，", rng.choice([",", "；", " "])) + "！"


def build(args) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from oversight.clues.models import Clue
    from oversight.db import db
    from oversight.orgs.models import Organisation
    from oversight.referrals.models import Referral, ReferralEvent, ReferralType

    t = time.perf_counter()
    upgrade()
    if db.session.scalar(sa.select(sa.func.count()).select_from(Referral)):
        return
    from issues.models import (Problem, ProgressReport, RectificationItem, Responsibility, Topic,
                               TopicSource)

    now = dt.datetime.now(dt.timezone.utc)
    today = now.date()
    rows = [{"id": 91, "code": "BROOT", "name": "基准市人大常委会", "kind": "npc_committee", "level": "city",
             "path": "/91/", "active": True}]
    for i in range(45):
        for kind, side in (("npc_committee", "N"), ("procuratorate", "P")):
            n = len(rows)
            rows.append({"id": n, "code": f"B{side}{i}", "name": f"基准{'人大' if side == 'N' else '检察院'}{i}",
                         "kind": kind, "level": "county", "path": f"/91/{n}/", "parent_id": 91, "active": True})
    org_defaults = _table_defaults(Organisation.__table__, now)
    db.session.execute(sa.insert(Organisation.__table__), [{**org_defaults, **r} for r in rows])
    types = {d: [t.id for t in db.session.scalars(sa.select(ReferralType).where(ReferralType.direction == d))]
             for d in ("npc_to_procuratorate", "procuratorate_to_npc")}
    notice = db.session.scalar(sa.select(ReferralType.id).where(ReferralType.code == "governance_notice"))
    rng = random.Random(1)
    start = today - dt.timedelta(days=3650)
    batch, events = [], []
    for n in range(args.referrals):
        pair = rng.randrange(45)
        npc, proc = 2 * pair + 1, 2 * pair + 2
        direction = "npc_to_procuratorate" if rng.random() < 0.8 else "procuratorate_to_npc"
        day = start + dt.timedelta(days=rng.randrange(3650))
        sent = dt.datetime.combine(day, dt.time(rng.randrange(1, 10)), dt.timezone.utc)
        rtype = notice if direction == "procuratorate_to_npc" and rng.random() < 0.05 else rng.choice(types[direction])
        due = day + dt.timedelta(days=90)
        done = due < today - dt.timedelta(days=rng.randrange(-30, 200))
        evaluation = (rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [70, 22, 8])[0]
                      if done and direction == "npc_to_procuratorate" else None)
        batch.append(dict(
            id=n + 1, direction=direction, type_id=rtype, title=f"基准事项{n}", body="正文", serial=f"B-{n:07d}",
            sender_org_id=npc if direction == "npc_to_procuratorate" else proc,
            receiver_org_id=proc if direction == "npc_to_procuratorate" else npc,
            state="closed" if done else ("in_progress" if direction == "npc_to_procuratorate" else "received"),
            round=1, classification="internal", reply_text="答复", sent_at=sent, created_at=sent, updated_at=sent,
            evaluation=evaluation, current_due=None if done else due, urge_count=0, extensions_granted=0,
            evaluation_reminded=False, version=1))
        if evaluation:
            at = sent + dt.timedelta(days=rng.randrange(20, 120))
            events.append(dict(referral_id=n + 1, action="evaluate", from_state="replied", to_state="closed",
                               actor_id=None, actor_label="基准", side="npc", at=at, note="", round=1))
            if evaluation == "dissatisfied" or rng.random() < 0.03:   # an earlier round rated 不满意 and reopened
                events.append(dict(referral_id=n + 1, action="evaluate", from_state="replied", to_state="in_progress",
                                   actor_id=None, actor_label="基准", side="npc", at=at - dt.timedelta(days=15),
                                   note="不满意", round=1))
        if len(batch) == 5000:
            db.session.execute(sa.insert(Referral.__table__), batch)
            db.session.execute(sa.insert(ReferralEvent.__table__), events)
            batch, events = [], []
    if batch:
        db.session.execute(sa.insert(Referral.__table__), batch)
    if events:
        db.session.execute(sa.insert(ReferralEvent.__table__), events)
    db.session.commit()
    print(f"referrals: {args.referrals:,} in {time.perf_counter() - t:.0f} s", flush=True)

    # Topics with the three lists: 10 items per responsibility, one responsibility per problem.
    t = time.perf_counter()
    topics = max(1, args.items // 50)
    notices = list(db.session.scalars(sa.select(Referral.id).where(Referral.type_id == notice)))
    topic_rows, problem_rows, resp_rows, item_rows, report_rows, source_rows = [], [], [], [], [], []
    item_id = 0
    for tid in range(1, topics + 1):
        pair = rng.randrange(45)
        opened = dt.datetime.combine(start + dt.timedelta(days=rng.randrange(3600)), dt.time(3), dt.timezone.utc)
        topic_rows.append(dict(id=tid, title=f"基准议题{tid}", description="", area="other", owner_org_id=2 * pair + 1,
                               lead_body_id=2 * pair + 1, state="rectifying", classification="internal",
                               issued_version=1, created_at=opened, updated_at=opened, version=1))
        if notices and rng.random() < 0.5:
            source_rows.append(dict(topic_id=tid, kind="referral", referral_id=notices.pop(rng.randrange(len(notices))),
                                    reference=""))
        for p in range(5):
            pid = (tid - 1) * 5 + p + 1
            problem_rows.append(dict(id=pid, topic_id=tid, number=p + 1, description="问题", evidence="", category="",
                                     severity="minor"))
            resp_rows.append(dict(id=pid, problem_id=pid, lead_unit_id=2 * pair + 2, responsible_person="",
                                  legal_basis=""))
            for _ in range(10):
                item_id += 1
                due = opened.date() + dt.timedelta(days=rng.randrange(60, 400))
                signed = due < today and rng.random() < 0.85
                item_rows.append(dict(id=item_id, topic_id=tid, responsibility_id=pid, unit_id=2 * pair + 2,
                                      measures=f"整改措施{item_id}", milestones="", due_date=due, responsible_person="",
                                      state="signed_off" if signed else "in_progress", issued_in=1,
                                      reported_percent=100 if signed else 40, accepted_percent=100 if signed else 20,
                                      progress_every_days=30, urge_count=0, extensions_granted=0, updated_at=opened,
                                      version=1))
                report_rows.append(dict(item_id=item_id, percent=40, text="进展", evidence="", on_behalf=True,
                                        reported_by_id=None,
                                        reported_at=dt.datetime.combine(min(due, today) - dt.timedelta(
                                            days=rng.randrange(0, 90)), dt.time(3), dt.timezone.utc)))
    for model, data in ((Topic, topic_rows), (Problem, problem_rows), (Responsibility, resp_rows),
                        (RectificationItem, item_rows), (TopicSource, source_rows)):
        for i in range(0, len(data), 5000):
            db.session.execute(sa.insert(model.__table__), data[i:i + 5000])
    # Progress reports need a reporter: one benchmark user.
    from oversight.accounts.models import User

    user_defaults = _table_defaults(User.__table__, now)
    db.session.execute(sa.insert(User.__table__), [{**user_defaults, "id": 1, "username": "bench", "display_name": "基准",
                                                    "organisation_id": 2, "password_hash": "x", "session_token": "bench"}])
    for r in report_rows:
        r["reported_by_id"] = 1
    for i in range(0, len(report_rows), 5000):
        db.session.execute(sa.insert(ProgressReport.__table__), report_rows[i:i + 5000])
    db.session.commit()
    print(f"topics: {topics:,}, rectification items: {item_id:,} in {time.perf_counter() - t:.0f} s", flush=True)

    # Clues over ten years; 1 % rephrase an earlier clue (planted duplicates).
    t = time.perf_counter()
    clue_defaults = _table_defaults(Clue.__table__, now)
    planted, texts, batch = [], [], []
    for n in range(1, args.clues + 1):
        created = now - dt.timedelta(seconds=int((args.clues - n) * 315_360_000 / args.clues))
        if texts and rng.random() < 0.01:
            original = rng.randrange(max(1, len(texts) - max(50, args.clues // 100)), len(texts) + 1)
            category, place, title, text = texts[original - 1]
            text = rephrase(rng, text)
            planted.append((original, n))
        else:
            category, place, title, text = clue_text(rng)
        texts.append((category, place, title, text))
        batch.append({**clue_defaults, "id": n, "tracking_code": f"XB{n:010d}", "secret_hash": "x", "source": "public",
                      "category": category, "place": place, "title": title[:100], "description": text,
                      "state": "received", "receiving_org_id": 91, "created_at": created, "updated_at": created})
        if len(batch) == 10_000:
            db.session.execute(sa.insert(Clue.__table__), batch)
            batch = []
        if len(texts) > 60_000:   # only recent texts are rephrased; keep memory flat
            texts[len(texts) - 60_001] = None
    if batch:
        db.session.execute(sa.insert(Clue.__table__), batch)
    db.session.commit()
    Path(args.planted).write_text(json.dumps(planted))
    print(f"clues: {args.clues:,} ({len(planted):,} planted rephrasings) in {time.perf_counter() - t:.0f} s", flush=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_model(key: str) -> dict:
    import sqlalchemy as sa

    from oversight.db import db
    from oversight.supervision import registry, services
    from oversight.supervision.models import SupervisionModel

    services.ensure_builtins()
    db.session.commit()
    model = db.session.scalar(sa.select(SupervisionModel).where(SupervisionModel.key == key))
    fn = registry.get(key)
    base = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    hits = fn.fn(registry.Context(db.session), fn.validate(model.params), registry.Period.parse(PERIOD))
    return {"model": key, "seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "hits": len(hits),
            "evidence": sum(len(h.evidence) for h in hits), "baseline_mb": base, "peak_mb": rss_mb()}


def measure_duplicates(limit: int, planted_file: str) -> dict:
    from oversight.clues.models import Clue
    from oversight.db import db
    from oversight.supervision.builtins.clue_duplicates import find_duplicate_groups

    base = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    groups = find_duplicate_groups(db.session, Clue, Clue.id <= limit, 0.5)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    where = {i: g[0] for g in groups for i in g}
    planted = [(a, b) for a, b in json.loads(Path(planted_file).read_text()) if b <= limit]
    found = sum(1 for a, b in planted if a in where and where.get(a) == where.get(b))
    return {"clues": limit, "seconds": seconds, "cpu": cpu, "groups": len(groups), "planted": len(planted),
            "recalled": found, "in_groups": len(where), "baseline_mb": base, "peak_mb": rss_mb()}


def measure_in_memory(count: int) -> dict:
    """The pure function over `count` generated (id, text) pairs, no database: the algorithm's own cost."""
    from oversight.supervision.similarity import clusters, near_duplicates

    rng = random.Random(3)
    items, planted, recent = [], [], []
    for n in range(1, count + 1):
        if recent and rng.random() < 0.01:
            original, text = recent[rng.randrange(len(recent))]
            text = rephrase(rng, text)
            planted.append((original, n))
        else:
            text = clue_text(rng)[3]
            recent.append((n, text))
            if len(recent) > 1000:
                recent.pop(0)
        items.append((n, text))
    base = rss_mb()
    t, c = time.perf_counter(), time.process_time()
    groups = clusters(near_duplicates(items, threshold=0.5))
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    where = {i: g[0] for g in groups for i in g}
    found = sum(1 for a, b in planted if a in where and where.get(a) == where.get(b))
    return {"clues": count, "seconds": seconds, "cpu": cpu, "groups": len(groups), "planted": len(planted),
            "recalled": found, "in_groups": len(where), "baseline_mb": base, "peak_mb": rss_mb()}


def child(args, app) -> None:
    with app.app_context():
        result = measure_model(args.only) if args.only else measure_duplicates(args.dup_limit, args.planted)
    print("RESULT " + json.dumps(result), flush=True)


def spawn(args, *extra) -> dict:
    out = subprocess.run([sys.executable, __file__, "--url", args.url, "--planted", args.planted, *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--referrals", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clues", type=int, default=1_000_000)
    parser.add_argument("--scaling", default="100000,300000,1000000")
    parser.add_argument("--planted", default=None)
    parser.add_argument("--only")
    parser.add_argument("--dup-limit", type=int)
    parser.add_argument("--in-memory", help="only the pure function over generated texts, e.g. 100000,1000000")
    args = parser.parse_args()
    if args.in_memory:
        print("| clues (in memory) | time | CPU | duplicate groups | planted found / planted | peak RSS (texts alone) |"
              "\n|---|---|---|---|---|---|")
        for count in (int(x) for x in args.in_memory.split(",")):
            if len(args.in_memory.split(",")) > 1:
                r = json.loads(subprocess.run([sys.executable, __file__, "--url", "-", "--in-memory", str(count)],
                                              check=True, capture_output=True, text=True).stdout.splitlines()[-1][7:])
            else:
                print("RESULT " + json.dumps(measure_in_memory(count)), flush=True)
                return
            print(f"| {r['clues']:,} | {r['seconds']:.1f} s | {r['cpu']:.1f} s | {r['groups']:,} | "
                  f"{r['recalled']:,} / {r['planted']:,} | {r['peak_mb']:.0f} MB ({r['baseline_mb']:.0f} MB) |", flush=True)
        return
    args.planted = args.planted or "/tmp/models-bench-planted-" + str(abs(hash(args.url)) % 10**8) + ".json"
    os.environ.setdefault("OVERSIGHT_INSTANCE_PATH", "/tmp/bench-instance")
    from oversight import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "SECRET_KEY": "bench", "TESTING": True})
    if args.only or args.dup_limit:
        return child(args, app)
    with app.app_context():
        build(args)
        from oversight.supervision import registry

        keys = [f.key for f in registry.all_functions()]
    engine = args.url.split(":")[0].split("+")[0]
    print(f"\n| engine | model | time | CPU | hits | evidence links | peak RSS (app alone) |\n|---|---|---|---|---|---|---|")
    for key in keys:
        r = spawn(args, "--only", key)
        print(f"| {engine} | {key} | {r['seconds']:.2f} s | {r['cpu']:.2f} s | {r['hits']} | {r['evidence']} | "
              f"{r['peak_mb']:.0f} MB ({r['baseline_mb']:.0f} MB) |", flush=True)
    print("\n| engine | clues | time | CPU | duplicate groups | planted found / planted | peak RSS (app alone) |"
          "\n|---|---|---|---|---|---|---|")
    for limit in (int(x) for x in args.scaling.split(",") if x):
        r = spawn(args, "--dup-limit", str(limit))
        print(f"| {engine} | {r['clues']:,} | {r['seconds']:.1f} s | {r['cpu']:.1f} s | {r['groups']:,} | "
              f"{r['recalled']:,} / {r['planted']:,} | {r['peak_mb']:.0f} MB ({r['baseline_mb']:.0f} MB) |", flush=True)


if __name__ == "__main__":
    main()
