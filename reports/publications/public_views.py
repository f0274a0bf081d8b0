"""The public portal under /public/: no login, published publications only (a withdrawn one keeps a page
that says so; a draft is a 404), the reports archive with its PDFs, search and an Atom feed.

Every page here is read-only and cacheable by shared caches for a short while; nothing here reads a field
that is not public (the publication's title, summary, body, frozen snapshot, dates and withdrawal notice).
"""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from oversight.db import db
from oversight.referrals.models import Classification
from oversight.web.security import public
from reports.models import ReportRun, RunStatus

from . import feed, labels, queries, snapshot
from .workflow import PubKind, PubState

bp = Blueprint("public", __name__, url_prefix="/public")
bp.add_app_template_global(labels, "public_labels")
PAGE = 20

SECTIONS = {
    "topics": (PubKind.KEY_TOPIC, "重点议题"),
    "rectification": (PubKind.RECTIFICATION_STATUS, "整改情况"),
    "cases": (PubKind.TYPICAL_CASE, "典型案例"),
    "reports": (PubKind.PUBLIC_REPORT, "公开报告"),
}


def _section_title(name: str) -> str:
    return {"topics": _("重点议题"), "rectification": _("整改情况"), "cases": _("典型案例"),
            "reports": _("公开报告")}[name]


@bp.after_request
def cache_headers(response):
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


@bp.get("/")
@public
def home():
    latest = queries.published(limit=10)
    return render_template("public/home.html", latest=latest.rows, sections=SECTIONS, section_title=_section_title)


def _section(name: str):
    kind, _label = SECTIONS[name]
    page = queries.published(kind=kind, after=request.args.get("after"), limit=PAGE)
    return render_template("public/list.html", page=page, name=name, title=_section_title(name))


@bp.get("/topics")
@public
def topics():
    return _section("topics")


@bp.get("/rectification")
@public
def rectification():
    return _section("rectification")


@bp.get("/cases")
@public
def cases():
    return _section("cases")


@bp.get("/reports")
@public
def reports():
    return _section("reports")


@bp.get("/p/<int:pub_id>")
@public
def publication(pub_id: int):
    pub = queries.public_one(pub_id)
    if pub is None:
        abort(404)
    snap = snapshot.loads(pub.snapshot) if pub.state is PubState.PUBLISHED else None
    return render_template("public/publication.html", pub=pub, snap=snap, snapshot_labels=snapshot,
                           has_pdf=pub.state is PubState.PUBLISHED and _public_run(pub) is not None)


def _public_run(pub) -> ReportRun | None:
    """The run of a published public report, only while it is still 公开 and produced."""
    if pub.kind is not PubKind.PUBLIC_REPORT or pub.report_run_id is None:
        return None
    run = db.session.get(ReportRun, pub.report_run_id)
    if run is None or run.classification is not Classification.PUBLIC or run.status is not RunStatus.SUCCEEDED:
        return None
    return run


@bp.get("/p/<int:pub_id>/report.pdf")
@public
def report_pdf(pub_id: int):
    pub = queries.public_one(pub_id)
    if pub is None or pub.state is not PubState.PUBLISHED:
        abort(404)
    run = _public_run(pub)
    if run is None or not run.pdf:
        abort(404)
    return send_file(io.BytesIO(run.pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"public-report-{pub.id}.pdf")


@bp.get("/search")
@public
def search():
    keyword = (request.args.get("q") or "").strip()[:100]
    page = queries.search(keyword, after=request.args.get("after"), limit=PAGE) if keyword else None
    return render_template("public/search.html", keyword=keyword, page=page)


@bp.get("/lang/<locale>")
@public
def language(locale: str):
    """Switch the portal's language by a plain link: public pages carry no form, so no CSRF token and no
    session cookie for a visitor who never switches (the pages stay cacheable by shared caches)."""
    if locale in current_app.config["LANGUAGES"]:
        session["lang"] = locale
    target = request.args.get("next") or ""
    if not target.startswith("/public/") or target.startswith("//"):
        target = url_for(".home")
    return redirect(target)


@bp.get("/feed.atom")
@public
def atom():
    entries = queries.feed_entries()
    body = feed.atom(entries, self_url=url_for(".atom", _external=True), home_url=url_for(".home", _external=True),
                     entry_url=lambda p: url_for(".publication", pub_id=p.id, _external=True))
    return Response(body, mimetype="application/atom+xml")
