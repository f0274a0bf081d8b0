"""Server-side benchmark of every page and JSON endpoint, for one user of each role, with its floor.

Run by hand (not part of the test suite), against databases filled by `flask demo scale`:

    nice -n 10 .venv/bin/python benchmarks/run.py --url sqlite:////path/muni.sqlite3 \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale [--repeat 20] [--out benchmarks/results.md]

Per page and user: p50/p95 server time (a WSGI wrapper around the app, so the test client's own
work is not counted), SQL statements per request, peak Python memory of one request (tracemalloc).
The floor, measured in the same run: a bare Flask route, and each page's slowest SQL statement
replayed raw on the driver connection — so a page reads as a ratio of the SQL it cannot avoid.
Jobs: the deadline sweep (rolled back afterwards) and `audit verify`.

The liaison pages (calendar month and list, meeting and minutes pages, action items, the research
projects, the personal .ics feed) are measured for the liaison users with ids of the generator's
meetings; `--liaison` measures only those and writes their section (`--liaison-out`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oversight import create_app  # noqa: E402
from oversight.db import db  # noqa: E402

PASSWORD = "Jiangzhou-2026"
# One user per role (the demo's accounts; a generated deputy beside the demo's own).
USERS = ["npc.liaison", "npc.reviewer", "proc.contact", "proc.handler", "deputy.wang", "daibiao00001",
         "public.evaluator", "admin", "security", "auditor"]
SKIP = {"static", "bench_floor", "accounts.logout", "referrals.export", "attachments.download",
        "public.report_pdf", "clues.export"}  # non-pages / file downloads
# The public portal, measured once without a session (what a citizen's phone asks for).
PUBLIC_PAGES = ["/public/", "/public/p/<int:pub_id>", "/public/search?q=检察", "/public/feed.atom", "/public/cases"]


@dataclass
class Probe:
    statements: list = field(default_factory=list)   # (seconds, sql, params) of the current request
    started: dict = field(default_factory=dict)
    server: float = 0.0
    cpu: float = 0.0       # this thread's CPU time: what the request cost, whatever else the machine runs


def _timed(app, probe: Probe):
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        t0, c0 = time.perf_counter(), time.thread_time()
        body = b"".join(inner(environ, start_response))
        probe.server, probe.cpu = time.perf_counter() - t0, time.thread_time() - c0
        return [body]
    app.wsgi_app = wsgi


def _listen(engine, probe: Probe) -> None:
    @sa.event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        probe.started[id(cursor)] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        t0 = probe.started.pop(id(cursor), time.perf_counter())
        probe.statements.append((time.perf_counter() - t0, statement, parameters))


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _urls(app, user_id: int) -> list[tuple[str, str]]:
    """(label, url) of every GET page and JSON endpoint, with ids this user can open."""
    from oversight.referrals import queries
    from oversight.accounts.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        seen = queries.search(user, queries.Filters(sort=queries.Sort.UPDATED), limit=1).rows
        rid = seen[0].id if seen else None
        from oversight.clues import permissions as clue_permissions, queries as clue_queries

        clues = (clue_queries.search(user, clue_queries.Filters(), limit=1).rows
                 if clue_permissions.can_use_clues(user) else [])
        cid = clues[0].id if clues else None
        org = user.organisation_id
        year = dt.date.today().year - 1
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIP or rule.rule.startswith("/public/"):
            continue
        args = set(rule.arguments)
        if not args:
            urls.append((rule.rule, rule.rule))
        elif args == {"referral_id"} and rid:
            urls.append((rule.rule, rule.rule.replace("<int:referral_id>", str(rid))))
        elif args == {"referral_id", "kind"} and rid:
            urls.append((rule.rule, rule.rule.replace("<int:referral_id>", str(rid)).replace("<kind>", "result")))
        elif args == {"clue_id"} and cid:
            urls.append((rule.rule, rule.rule.replace("<int:clue_id>", str(cid))))
        elif args == {"org_id"}:
            urls.append((rule.rule, rule.rule.replace("<int:org_id>", str(org))))
        elif args == {"type_id"}:
            urls.append((rule.rule, rule.rule.replace("<int:type_id>", "1")))
    # The search as people use it: a filter, a keyword, the second page.
    urls += [("/referrals/search?state=closed&year=…", f"/referrals/search?state=closed&year={year}"),
             ("/referrals/search?keyword=公益诉讼", "/referrals/search?keyword=%E5%85%AC%E7%9B%8A%E8%AF%89%E8%AE%BC"),
             ("/referrals/search?due_status=overdue", "/referrals/search?due_status=overdue")]
    if cid:  # the clue list as staff filter it
        urls += [("/clues/?state=received", "/clues/?state=received"),
                 ("/clues/?category=minors&source=station", "/clues/?category=minors&source=station")]
    return urls


LIAISON_USERS = ("npc.liaison", "proc.contact", "proc.handler")


def _liaison_urls(app, user_id: int) -> list[tuple[str, str]]:
    """The liaison pages with ids this user can open: this month, a held meeting with its minutes, an
    open action item, and a personal feed (a token issued here; only its hash is stored)."""
    from liaison.meetings import ics, queries as meeting_queries
    from liaison.meetings.models import Meeting
    from liaison.minutes import queries as minutes_queries
    from liaison.minutes.models import Minutes
    from oversight.accounts.models import User
    from oversight.db import commit

    with app.app_context():
        user = db.session.get(User, user_id)
        month = dt.date.today().strftime("%Y-%m")
        held = db.session.scalar(sa.select(Meeting).join(Minutes, Minutes.meeting_id == Meeting.id)
                                 .where(meeting_queries.visible(user), Meeting.state == "held")
                                 .order_by(Meeting.starts_at.desc()).limit(1))
        held = held.id if held is not None else None
        items = [i.id for i in minutes_queries.action_items(user, limit=1)]
        token = ics.issue_feed_token(user)
        commit()
    urls = [("/liaison/meetings/?view=month&month=…", f"/liaison/meetings/?view=month&month={month}"),
            ("/liaison/meetings/?view=list&month=…", f"/liaison/meetings/?view=list&month={month}"),
            ("/liaison/meetings/ (list, this month)", "/liaison/meetings/")]
    if held is not None:
        urls += [("/liaison/meetings/<int:meeting_id>", f"/liaison/meetings/{held}"),
                 ("/liaison/minutes/<int:meeting_id>", f"/liaison/minutes/{held}")]
    urls.append(("/liaison/minutes/items", "/liaison/minutes/items"))
    if items:
        urls.append(("/liaison/minutes/items/<int:item_id>", f"/liaison/minutes/items/{items[0]}"))
    urls += [("/liaison/exchanges/research", "/liaison/exchanges/research"),
             ("/liaison/feed/<token>.ics", f"/liaison/feed/{token}.ics")]
    return urls


def _replay(engine, statement: str, parameters, repeat: int) -> float:
    """p50 of the raw statement on the driver connection, rows fetched."""
    times = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for _ in range(repeat):
            cur = raw.cursor()
            t0 = time.perf_counter()
            cur.execute(statement, parameters)
            cur.fetchall()
            times.append(time.perf_counter() - t0)
            cur.close()
        conn.rollback()
    return statistics.median(times)


def bench_database(url: str, repeat: int, *, key_only: bool = False, liaison_only: bool = False) -> dict:
    from oversight.accounts.models import User
    from oversight.web.security import public

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "SCHEDULER_IN_PROCESS": False, "LOGIN_MAX_FAILURES": 10_000,
                      # The clue form's POST is measured repeatedly from one address.
                      "CLUE_RATE_LIMITS": {"submit": [(600, 1_000_000)], "status": [(600, 1_000_000)]}})
    app.add_url_rule("/__floor", "bench_floor", public(lambda: "ok"))
    probe = Probe()
    _timed(app, probe)
    with app.app_context():
        engine = db.engine
        _listen(engine, probe)
        dataset = _dataset()
        ids = {u.username: (u.id, sorted(r.value for r in u.roles)) for u in
               db.session.scalars(sa.select(User).where(User.username.in_(USERS)))}
    result = {"url": re.sub(r"//[^@/]*@", "//", url), "engine": engine.dialect.name, "repeat": repeat,
              "server_version": _server_version(engine), "dataset": dataset, "rows": [], "jobs": {}}
    result["floor"] = _measure(app, app.test_client(), "/__floor", probe, repeat * 5)
    result["load"] = os.getloadavg()[0]
    generic_done: set[str] = set()
    for username in USERS:
        if username not in ids or (key_only and username not in KEY_USERS) or (
                liaison_only and username not in LIAISON_USERS):
            continue
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        if response.status_code != 302:
            print(f"  cannot log in as {username}: {response.status_code}", file=sys.stderr)
            continue
        if "floor_logged_in" not in result:   # the same bare route with a session: the user is loaded
            result["floor_logged_in"] = _measure(app, client, "/__floor", probe, repeat * 5)
        pages = [] if liaison_only else _urls(app, ids[username][0])
        if username in LIAISON_USERS and not key_only:
            pages += _liaison_urls(app, ids[username][0])
        for label, url_ in pages:
            if key_only and label not in KEY_PAGES:
                continue
            # Pages that show the same to everyone are measured once; the referral pages per role.
            if not label.startswith(("/referrals", "/liaison")) and label in generic_done:
                continue
            generic_done.add(label)
            m = _measure(app, client, url_, probe, repeat)
            if m["status"] in (403, 404):
                continue
            selects = [s for s in m["sample"] if s[1].lstrip().upper().startswith(("SELECT", "WITH"))]
            main = max(selects, key=lambda s: s[0]) if selects else None
            m["sql_floor"] = _replay(engine, main[1], main[2], repeat) if main else None
            m.pop("sample")
            result["rows"].append({"page": label, "user": username, "roles": ",".join(ids[username][1]), **m})
            print(f"  {username:16} {label:45} {m['status']} p50 {m['p50']*1e3:7.1f} ms  p95 {m['p95']*1e3:7.1f} ms"
                  f"  {m['statements']:3d} stmts", flush=True)
    if not liaison_only:
        _bench_public(app, engine, probe, repeat, result)
        post = _clue_post(app, probe, repeat)
        if post is not None:
            result["rows"].append(post)
    result["jobs"] = {} if liaison_only else _jobs(app)
    result["load"] = (result["load"], os.getloadavg()[0])
    return result


def _bench_public(app, engine, probe: Probe, repeat: int, result: dict) -> None:
    """The public pages as an anonymous visitor: home, the newest publication, a search, the feed, a section."""
    from urllib.parse import quote

    from reports.publications import queries as public_queries

    with app.app_context():
        newest = public_queries.published(limit=1).rows
        pub_id = newest[0].id if newest else None
    client = app.test_client()
    for label in PUBLIC_PAGES:
        if "<int:pub_id>" in label and pub_id is None:
            continue
        url_ = quote(label.replace("<int:pub_id>", str(pub_id)), safe="/?=&")
        m = _measure(app, client, url_, probe, repeat)
        selects = [s for s in m["sample"] if s[1].lstrip().upper().startswith(("SELECT", "WITH"))]
        main = max(selects, key=lambda s: s[0]) if selects else None
        m["sql_floor"] = _replay(engine, main[1], main[2], repeat) if main else None
        m.pop("sample")
        result["rows"].append({"page": label, "user": "(anonymous)", "roles": "public", **m})
        print(f"  {'(anonymous)':16} {label:45} {m['status']} p50 {m['p50']*1e3:7.1f} ms  p95 {m['p95']*1e3:7.1f} ms"
              f"  {m['statements']:3d} stmts", flush=True)


def _measure(app, client, url: str, probe: Probe, repeat: int) -> dict:
    client.get(url)   # warm: templates compiled, caches filled
    times, cpu, counts, status = [], [], set(), None
    for _ in range(repeat):
        probe.statements = []
        response = client.get(url)
        times.append(probe.server)
        cpu.append(probe.cpu)
        counts.add(len(probe.statements))
        status = response.status_code
    sample = list(probe.statements)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"status": status, "p50": statistics.median(times), "p95": _pct(times, 0.95),
            "cpu50": statistics.median(cpu), "cpu95": _pct(cpu, 0.95),
            "statements": max(counts), "statements_vary": len(counts) > 1, "peak_kib": peak // 1024,
            "sample": sample}


def _clue_post(app, probe: Probe, repeat: int) -> dict | None:
    """The public clue form's POST, anonymous: each try answers a fresh challenge (from a GET that is
    not timed) and commits a clue — the benchmark database keeps `repeat + 1` more clues afterwards."""
    client = app.test_client()
    if client.get("/public/clues/new").status_code != 200:
        return None

    def one():
        html = client.get("/public/clues/new").get_data(as_text=True)
        token = re.search(r'id="challenge"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="challenge"', html)
        a, op, b = re.search(r"(\d+) (加|减) (\d+)", html).groups()
        answer = int(a) + int(b) if op == "加" else int(a) - int(b)
        probe.statements = []
        response = client.post("/public/clues/new", data={
            "category": "public_interest", "title": "基准测试线索", "description": "某河道夜间偷排污水，河水发黑。",
            "place": "某街道", "challenge": token.group(1) or token.group(2), "answer": str(answer),
            "receiving_org": re.search(r'<option[^>]*value="(\d+)"', html).group(1)})
        return response.status_code, probe.server, probe.cpu, len(probe.statements)

    one()  # warm
    runs = [one() for _ in range(repeat)]
    statuses = {r[0] for r in runs}
    times, cpu, counts = [r[1] for r in runs], [r[2] for r in runs], {r[3] for r in runs}
    print(f"  {'(public)':16} {'POST /public/clues/new':45} {statuses} p50 {statistics.median(times)*1e3:7.1f} ms", flush=True)
    return {"page": "POST /public/clues/new", "user": "(public)", "roles": "-", "status": max(statuses),
            "p50": statistics.median(times), "p95": _pct(times, 0.95), "cpu50": statistics.median(cpu),
            "cpu95": _pct(cpu, 0.95), "statements": max(counts), "statements_vary": len(counts) > 1,
            "peak_kib": 0, "sql_floor": None}


def _jobs(app) -> dict:
    from oversight.audit.services import verify
    from oversight.referrals.jobs import deadline_sweep

    jobs = {}
    with app.app_context():
        t0 = time.perf_counter()
        counts = deadline_sweep()
        jobs["deadline sweep (rolled back)"] = (time.perf_counter() - t0, ", ".join(f"{k} {v}" for k, v in counts.items()))
        db.session.rollback()
    with app.app_context():
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        outcome = verify()
        jobs["audit verify"] = (time.perf_counter() - t0, f"{'intact' if outcome.ok else 'BROKEN'}, {outcome.checked:,} "
                                f"entries, max RSS grew {max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) // 1024} MiB")
    return jobs


def _dataset() -> dict:
    counts = {}
    for table in ("organisations", "users", "referrals", "referral_events", "clues", "audit_entries", "notifications",
                  "liaison_meetings", "liaison_agenda_items", "liaison_invitations", "liaison_action_items"):
        counts[table] = db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
    return counts


def _server_version(engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()
        return conn.exec_driver_sql("show server_version").scalar().split()[0].join(("PostgreSQL ", ""))


def _machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{platform.node()} · {model} · {os.cpu_count()} cores (shared) · {mem:,} MiB RAM · "
            f"{platform.platform()} · Python {platform.python_version()}")


def render(results: list[dict], repeat: int) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Benchmark results", "", f"- date: {now}", f"- machine: {_machine()}",
           "- method: `benchmarks/run.py`, N requests per page and user (N per section below) after one warm-up, server time "
           "measured around the WSGI app; statements counted with `before_cursor_execute`; peak = tracemalloc "
           "over one request; SQL floor = the page's slowest statement replayed raw on the driver connection "
           "(p50); ratio = page p95 / SQL floor. CPU = the serving thread's CPU time (`time.thread_time`), "
           "which the other work on this shared machine disturbs far less than wall time; for PostgreSQL it "
           "leaves out the database server's own work.", ""]
    out += _summary(results)
    for res in results:
        ds = res["dataset"]
        out += [f"## {res['server_version']} — {ds['referrals']:,} referrals", "",
                "dataset: " + ", ".join(f"{k} {v:,}" for k, v in ds.items())
                + f"; N = {res.get('repeat', repeat)} requests per page and user", "",
                f"bare Flask route (floor): p50 {res['floor']['p50']*1e3:.2f} ms, p95 {res['floor']['p95']*1e3:.2f} ms; "
                f"with a logged-in session: p50 {res['floor_logged_in']['p50']*1e3:.2f} ms, "
                f"p95 {res['floor_logged_in']['p95']*1e3:.2f} ms. Load average (1 min) at start/end: "
                f"{res['load'][0]:.1f} / {res['load'][1]:.1f}.", "",
                "| page | user (role) | p50 ms | p95 ms | CPU p50 / p95 ms | SQL | peak KiB | SQL floor ms | p95 / floor |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in res["rows"]:
            fl = row["sql_floor"]
            ratio = f"{row['p95'] / fl:.1f}×" if fl else "—"
            stmts = f"{row['statements']}{'*' if row['statements_vary'] else ''}"
            out.append(f"| `{row['page']}` | {row['user']} ({row['roles']}) | {row['p50']*1e3:.1f} | "
                       f"{row['p95']*1e3:.1f} | {row['cpu50']*1e3:.1f} / {row['cpu95']*1e3:.1f} | {stmts} | "
                       f"{row['peak_kib']:,} | " + (f"{fl*1e3:.2f} | {ratio} |" if fl else "— | — |"))
        out += ["", "| job | seconds | result |", "| --- | ---: | --- |"]
        out += [f"| {name} | {secs:.2f} | {note} |" for name, (secs, note) in res["jobs"].items()]
        out.append("")
    return "\n".join(out)


KEY_PAGES = ["/referrals/", "/referrals/search", "/referrals/search?state=closed&year=…",
             "/referrals/search?due_status=overdue", "/referrals/search?keyword=公益诉讼", "/referrals/sent",
             "/referrals/<int:referral_id>", "/clues/", "/clues/?state=received", "/clues/<int:clue_id>",
             "/public/clues/new", "/public/clues/status", "POST /public/clues/new"]


KEY_USERS = ("npc.liaison", "proc.contact", "proc.handler", "deputy.wang")


def _summary(results: list[dict]) -> list[str]:
    """The referral pages side by side across the databases and datasets of this run."""
    heads = [f"{r['server_version'].split()[0]} {r['dataset']['referrals']:,}" for r in results]
    out = ["## Referral pages across datasets (wall p50 / p95 ms · CPU p50 ms · statements)", "",
           "| page | user | " + " | ".join(heads) + " |", "| --- | --- |" + " ---: |" * len(results)]
    for page in KEY_PAGES:
        for user in KEY_USERS:
            cells = []
            for res in results:
                row = next((r for r in res["rows"] if r["page"] == page and r["user"] == user), None)
                cells.append(f"{row['p50']*1e3:.0f} / {row['p95']*1e3:.0f} · {row['cpu50']*1e3:.0f} · {row['statements']}"
                             if row else "—")
            if any(c != "—" for c in cells):
                out.append(f"| `{page}` | {user} | " + " | ".join(cells) + " |")
    return out + [""]


def render_liaison(results: list[dict]) -> str:
    """The liaison section of results.md: each liaison page per engine, side by side."""
    heads = [f"{r['server_version']} · {r['dataset']['liaison_meetings']:,} meetings" for r in results]
    out = ["## Liaison pages (issue 6; `benchmarks/run.py --liaison`)", "",
           "Data: `flask demo scale --profile municipality` with its liaison stage (`liaison/scale.py`): "
           + "; ".join(f"{r['server_version'].split()[0]}: " + ", ".join(
               f"{k.replace('liaison_', '')} {v:,}" for k, v in r["dataset"].items()
               if k.startswith("liaison_") or k in ("referrals", "audit_entries")) for r in results)
           + f". N = {results[0]['repeat'] if results else 0} requests per page and user after one warm-up; "
           "load average (1 min) at start/end: " + "; ".join(f"{r['load'][0]:.1f} / {r['load'][1]:.1f}" for r in results)
           + ".", "",
           "wall p50 / p95 ms · CPU p50 ms · SQL statements · SQL floor ms (the page's slowest statement replayed)", "",
           "| page | user | " + " | ".join(heads) + " |", "| --- | --- |" + " ---: |" * len(results)]
    keys = []
    for res in results:
        for row in res["rows"]:
            if row["page"].startswith("/liaison") and (row["page"], row["user"]) not in keys:
                keys.append((row["page"], row["user"]))
    for page, user in keys:
        cells = []
        for res in results:
            row = next((r for r in res["rows"] if r["page"] == page and r["user"] == user), None)
            fl = row["sql_floor"] if row else None
            cells.append(f"{row['p50']*1e3:.0f} / {row['p95']*1e3:.0f} · {row['cpu50']*1e3:.0f} · {row['statements']}"
                         f" · {fl*1e3:.1f}" if row and fl else
                         (f"{row['p50']*1e3:.0f} / {row['p95']*1e3:.0f} · {row['cpu50']*1e3:.0f} · {row['statements']}"
                          if row else "—"))
        out.append(f"| `{page}` | {user} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
# --- oversight topics (issue 5): the topic and rectification item pages --------------------------------

TOPIC_USERS = ("npc.liaison", "proc.contact")


def _topic_urls(user) -> list[tuple[str, str]]:
    """(label, url) of the topic pages for `user`, with the ids of a big topic, a typical one, an item."""
    from issues import queries as topic_queries
    from issues.models import ProgressReport, RectificationItem, Topic

    visible = topic_queries.visible_to(user)
    counts = (sa.select(RectificationItem.topic_id, sa.func.count().label("n"))
              .group_by(RectificationItem.topic_id).subquery())
    big = db.session.execute(sa.select(Topic.id, counts.c.n).join(counts, counts.c.topic_id == Topic.id)
                             .where(visible).order_by(counts.c.n.desc(), Topic.id).limit(1)).first()
    typical = db.session.execute(sa.select(Topic.id, counts.c.n).join(counts, counts.c.topic_id == Topic.id)
                                 .where(visible, counts.c.n.between(20, 40)).order_by(Topic.id.desc()).limit(1)).first()
    reports = (sa.select(ProgressReport.item_id, sa.func.count().label("n")).group_by(ProgressReport.item_id)
               .order_by(sa.func.count().desc()).limit(200).subquery())
    item_id = db.session.scalar(sa.select(RectificationItem.id).join(reports, reports.c.item_id == RectificationItem.id)
                                .where(topic_queries.items_visible_to(user))
                                .order_by(reports.c.n.desc(), RectificationItem.id).limit(1))
    unit = db.session.scalar(sa.select(RectificationItem.unit_id).where(topic_queries.items_visible_to(user))
                             .group_by(RectificationItem.unit_id).order_by(sa.func.count().desc()).limit(1))
    urls = [("/topics/", "/topics/"),
            ("/topics/?state=rectifying&area=ecology", "/topics/?state=rectifying&area=ecology"),
            ("/topics/?overdue=y", "/topics/?overdue=y"),
            ("/topics/?keyword=生态", "/topics/?keyword=%E7%94%9F%E6%80%81"),
            ("/topics/?unit=<unit>", f"/topics/?unit={unit}"),
            ("/topics/items/", "/topics/items/"),
            ("/topics/items/?due=overdue", "/topics/items/?due=overdue"),
            ("/topics/items/?state=all&unit=<unit>", f"/topics/items/?state=all&unit={unit}"),
            ("/topics/items/progress.xlsx", "/topics/items/progress.xlsx"),
            ("/topics/export.xlsx", "/topics/export.xlsx"),
            ("/topics/help", "/topics/help")]
    if big:
        urls.append((f"/topics/<big> ({big.n} items)", f"/topics/{big.id}"))
    if typical:
        urls.append((f"/topics/<typical> ({typical.n} items)", f"/topics/{typical.id}"))
    if item_id:
        urls.append(("/topics/items/<item>", f"/topics/items/{item_id}"))
    return urls


def bench_topics(url: str, repeat: int) -> dict:
    from issues.models import ProgressReport, RectificationItem, Topic
    from oversight.accounts.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "SCHEDULER_IN_PROCESS": False, "LOGIN_MAX_FAILURES": 10_000})
    probe = Probe()
    _timed(app, probe)
    with app.app_context():
        engine = db.engine
        _listen(engine, probe)
        dataset = {name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for name, model in
                   (("topics", Topic), ("rectification_items", RectificationItem), ("progress_reports", ProgressReport))}
        dataset["referrals"] = db.session.scalar(sa.text("SELECT count(*) FROM referrals"))
        dataset["audit_entries"] = db.session.scalar(sa.text("SELECT count(*) FROM audit_entries"))
    result = {"engine": engine.dialect.name, "server_version": _server_version(engine), "dataset": dataset,
              "repeat": repeat, "rows": [], "load": [os.getloadavg()[0]]}
    for username in TOPIC_USERS:
        client = app.test_client()
        if client.post("/login", data={"username": username, "password": PASSWORD}).status_code != 302:
            print(f"  cannot log in as {username}", file=sys.stderr)
            continue
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            roles = ",".join(sorted(r.value for r in user.roles))
            urls = _topic_urls(user)
        for label, url_ in urls:
            m = _measure(app, client, url_, probe, repeat)
            selects = [x for x in m["sample"] if x[1].lstrip().upper().startswith(("SELECT", "WITH"))]
            main_sql = max(selects, key=lambda x: x[0]) if selects else None
            m["sql_floor"] = _replay(engine, main_sql[1], main_sql[2], repeat) if main_sql else None
            m.pop("sample")
            result["rows"].append({"page": label, "user": username, "roles": roles, **m})
            print(f"  {username:14} {label:45} {m['status']} p50 {m['p50']*1e3:7.1f} ms  p95 {m['p95']*1e3:7.1f} ms "
                  f" CPU {m['cpu50']*1e3:6.1f} ms {m['statements']:3d} stmts", flush=True)
    result["load"].append(os.getloadavg()[0])
    return result


def render_topics(results: list[dict]) -> str:
    out = []
    for res in results:
        ds = res["dataset"]
        out += [f"### {res['server_version']} — {ds['rectification_items']:,} rectification items", "",
                "dataset: " + ", ".join(f"{k} {v:,}" for k, v in ds.items())
                + f"; N = {res['repeat']} requests per page and user; load average (1 min) at start/end: "
                f"{res['load'][0]:.1f} / {res['load'][1]:.1f}", "",
                "| page | user (role) | status | p50 ms | p95 ms | CPU p50 / p95 ms | SQL | peak KiB | SQL floor ms |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in res["rows"]:
            fl = row["sql_floor"]
            stmts = f"{row['statements']}{'*' if row['statements_vary'] else ''}"
            out.append(f"| `{row['page']}` | {row['user']} ({row['roles']}) | {row['status']} | {row['p50']*1e3:.1f} | "
                       f"{row['p95']*1e3:.1f} | {row['cpu50']*1e3:.1f} / {row['cpu95']*1e3:.1f} | {stmts} | "
                       f"{row['peak_kib']:,} | " + (f"{fl*1e3:.2f} |" if fl else "— |"))
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", default=[], help="database URL (repeatable)")
    parser.add_argument("--key-pages", action="store_true",
                        help="only the referral pages of the summary, for the users it lists (a quick run)")
    parser.add_argument("--save", help="also keep this run's measurements as JSON in this file")
    parser.add_argument("--load", action="append", default=[],
                        help="measurements saved by an earlier --save to report beside this run's (repeatable)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--liaison", action="store_true",
                        help="only the liaison pages, for the liaison users; the section goes to --liaison-out")
    parser.add_argument("--liaison-out", default=str(ROOT / "benchmarks" / "liaison-section.md"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    parser.add_argument("--notes", default="", help="a file whose text is appended to the results")
    parser.add_argument("--topics", action="store_true",
                        help="only the oversight topic pages (issue 5); prints a section for results.md to --out")
    args = parser.parse_args()
    if args.topics:
        measured = [bench_topics(url, args.repeat) for url in args.url]
        if args.save:
            Path(args.save).write_text(json.dumps(measured, ensure_ascii=False))
        text = render_topics([r for path in args.load for r in json.loads(Path(path).read_text())] + measured)
        Path(args.out).write_text(text)
        print(text)
        return
    results = [r for path in args.load for r in json.loads(Path(path).read_text())]
    measured = []
    for url in args.url:
        print(f"{re.sub(r'//[^@/]*@', '//', url)}", flush=True)
        measured.append(bench_database(url, args.repeat, key_only=args.key_pages, liaison_only=args.liaison))
    if args.save:
        Path(args.save).write_text(json.dumps(measured, ensure_ascii=False))
    results += measured
    if args.liaison:
        text = render_liaison(results)
        Path(args.liaison_out).write_text(text)
        print(text)
        return
    text = render(results, args.repeat)
    if args.notes:
        text += "\n" + Path(args.notes).read_text()
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
