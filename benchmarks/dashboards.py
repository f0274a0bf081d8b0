"""Dashboards at scale: each dashboard computed on the request (the cache emptied before every request,
as every request did before `report_figures`) against served from the cached figures.

    python benchmarks/dashboards.py --url sqlite:////path/oversight.sqlite3 [--repeat 5]

Server time is measured around the WSGI app (as benchmarks/run.py does), CPU as the serving thread's
CPU time. Prints one Markdown table row per dashboard and user.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oversight import create_app  # noqa: E402
from oversight.db import db  # noqa: E402

PASSWORD = "Jiangzhou-2026"
PAGES = [("npc.liaison", "/reports/leadership"), ("proc.contact", "/reports/procuratorate"),
         ("deputy.wang", "/reports/deputy")]


def _timed(app):
    inner = app.wsgi_app
    box = {}

    def wsgi(environ, start_response):
        t, c = time.perf_counter(), time.thread_time()
        try:
            return list(inner(environ, start_response))
        finally:
            box["wall"], box["cpu"] = time.perf_counter() - t, time.thread_time() - c

    app.wsgi_app = wsgi
    return box


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--period", default="", help="kind:key, e.g. month:2026-11 (default: the current month)")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "SCHEDULER_IN_PROCESS": False, "LOGIN_MAX_FAILURES": 10_000})
    box = _timed(app)
    from oversight.referrals.models import Referral
    from reports.models import CachedFigures

    with app.app_context():
        referrals = db.session.scalar(sa.select(sa.func.count()).select_from(Referral))
    suffix = ""
    if args.period:
        kind, key = args.period.split(":")
        suffix = f"?kind={kind}&period={key}"
    print(f"{args.url.split(':')[0]} · {referrals:,} referrals · "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    print("| dashboard | user | computed per request: wall p50 / max ms · CPU p50 ms | cached: wall p50 / max ms "
          "· CPU p50 ms | speed-up (p50) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for username, path in PAGES:
        client = app.test_client()
        if client.post("/login", data={"username": username, "password": PASSWORD}).status_code != 302:
            print(f"cannot log in as {username}", file=sys.stderr)
            continue
        url = path + suffix
        runs = {"cold": ([], []), "warm": ([], [])}
        for mode in ("cold", "warm"):
            for _ in range(args.repeat):
                if mode == "cold":
                    with app.app_context():
                        db.session.execute(sa.delete(CachedFigures))
                        db.session.commit()
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                runs[mode][0].append(box["wall"] * 1e3)
                runs[mode][1].append(box["cpu"] * 1e3)
        (cw, cc), (ww, wc) = runs["cold"], runs["warm"]
        print(f"| `{path}` | {username} | {statistics.median(cw):.0f} / {max(cw):.0f} · {statistics.median(cc):.0f} | "
              f"{statistics.median(ww):.0f} / {max(ww):.0f} · {statistics.median(wc):.0f} | "
              f"{statistics.median(cw) / statistics.median(ww):.0f}× |", flush=True)


if __name__ == "__main__":
    main()
