"""Acceptance: nothing internal or sensitive ever reaches the public side.

The demo municipality is loaded, then every text column of every table (except the few that are public by
design) is overwritten with a unique marker (QZ<table>C<column>R<row>X) — referral bodies and replies, contact
names and phone numbers, internal notes, evidence, responsible persons, user names, topic texts of topics that
stay internal, everything. Then the demo publications are made from that data (snapshots taken, the public
report's PDF rendered), their own internal fields are marked too, and every public page reachable from /public/,
the Atom feed and every published file (PDF text via pdftotext) is crawled: no marker may appear.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

from oversight.db import commit, db
from oversight.demo import cli as demo_cli, data

MARKER = re.compile(r"QZ\d+C\d+R\d+X")
SKIP_TABLES = {"audit_entries", "audit_head", "alembic_version"}
# Structure the demo loaders look up by (codes, paths, user names, report keys): not content.
STRUCTURAL = {("organisations", "code"), ("organisations", "path"), ("organisations", "serial_prefix"),
              ("users", "username"), ("report_runs", "report"), ("report_runs", "period_key"),
              ("report_schedules", "report"), ("report_schedules", "cron")}
# Public by design: institutions' names, the legal categories of referral types, and what a publication says.
PUBLIC = {("organisations", "name"), ("organisations", "short_name"), ("referral_types", "name"),
          ("publications", "title"), ("publications", "summary"), ("publications", "body"),
          ("publications", "withdrawn_reason"), ("publications", "snapshot"),
          # A campaign's title and description are written for the public (the form says so).
          ("evaluation_campaigns", "title"), ("evaluation_campaigns", "description")}
# The texts of a topic the committee declared 公开 that its public snapshot carries.
PUBLIC_TOPIC_FIELDS = {("topics", "title", "id"), ("topic_problems", "description", "topic_id"),
                       ("topic_problems", "category", "topic_id"), ("rectification_items", "measures", "topic_id")}


def seed_markers(public_topic_ids: set[int], round_: int) -> int:
    """Overwrite every non-empty text value outside PUBLIC/STRUCTURAL with a marker; how many columns."""
    columns = 0
    for t_index, table in enumerate(db.metadata.sorted_tables):
        if table.name in SKIP_TABLES:
            continue
        row_id = table.c.id if "id" in table.c else None
        for c_index, column in enumerate(table.c):
            if not isinstance(column.type, sa.String) or isinstance(column.type, sa.Enum):
                continue
            if column.primary_key or column.foreign_keys or (table.name, column.name) in STRUCTURAL | PUBLIC:
                continue
            if (column.type.length or 1000) < 24 or (row_id is None and column.unique):
                continue
            marker = sa.literal(f"QZ{round_}{t_index:03d}C{c_index:02d}R")
            if row_id is not None:
                marker = marker + sa.cast(row_id, sa.String)
            marker = marker + sa.literal("X")
            where = [column.is_not(None), column != ""]
            for name, col, key in PUBLIC_TOPIC_FIELDS:
                if (name, col) == (table.name, column.name) and public_topic_ids:
                    where.append(table.c[key].not_in(sorted(public_topic_ids)))
            db.session.execute(sa.update(table).where(*where).values({column.name: marker}))
            columns += 1
    return columns


def _links(url: str, body: str, content_type: str) -> list[str]:
    if "atom" in content_type:
        root = ET.fromstring(body)
        return [el.get("href") for el in root.iter("{http://www.w3.org/2005/Atom}link")]
    return re.findall(r'(?:href|src|action)="([^"]+)"', body)


def crawl(client) -> dict[str, str]:
    """Every page and file under /public/ reachable from the home page, the feed and a few searches."""
    start = ["/public/", "/public/feed.atom", "/public/search?q=%E6%A3%80%E5%AF%9F", "/public/search?q=QZ",
             "/public/search?q=%E6%A1%88"]
    seen, queue, texts = set(), list(start), {}
    while queue:
        url = queue.pop()
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not parts.path.startswith("/public/") or parts.path.startswith("/public/lang/") or path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        if response.mimetype == "application/pdf":
            texts[path] = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                                         check=True).stdout.decode()
            continue
        body = response.get_data(as_text=True)
        texts[path] = body
        for link in _links(path, body, response.mimetype):
            queue.append(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
    return texts


def test_no_internal_text_reaches_public_pages_feed_or_files(app, runner, client, monkeypatch):
    assert shutil.which("pdftotext"), "poppler-utils is not installed: scripts/test installs it when run as root"
    from reports.publications import demo as publication_demo

    monkeypatch.setattr(data, "REFERRAL_COUNT", 40)
    monkeypatch.setattr(demo_cli, "DEMO_LOADERS", [(label, target) for label, target in demo_cli.DEMO_LOADERS
                                                   if "publications" not in target])
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    public_ids = {t.id for t in publication_demo.public_topics()}
    assert public_ids
    assert seed_markers(public_ids, 1) > 50
    commit()
    made = publication_demo.load_publications()
    commit()
    assert made >= 10
    seed_markers(public_ids, 2)  # the publications' own internal fields, the redaction reasons, …
    commit()

    texts = crawl(client)
    kinds = {urlsplit(u).path.split("/")[2] for u in texts}
    assert {"p", "feed.atom", "search", "cases", "topics", "rectification", "reports", "evaluation"} <= kinds
    assert any(u.startswith("/public/evaluation/results/") and u[-1].isdigit() for u in texts)
    pdfs = [text for u, text in texts.items() if u.endswith(".pdf")]
    assert pdfs, "the public report's PDF was not reached"
    assert all("内部资料" not in "".join(t.split()) for t in pdfs)  # a 公开 report says so on its cover
    assert sum(1 for u in texts if u.startswith("/public/p/")) >= 10
    leaks = {url: sorted(set(MARKER.findall(text)))[:5] for url, text in texts.items() if MARKER.search(text)}
    assert not leaks, leaks
    # The markers are really there inside: the crawl would have seen them had they leaked.
    from oversight.referrals.models import Referral
    assert MARKER.fullmatch(db.session.scalar(sa.select(Referral.body).limit(1)))
