from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ..accounts.permissions import can_view_audit
from . import queries
from .services import verify

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _day_start(text: str, *, next_day: bool = False) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if next_day:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), ZoneInfo(current_app.config["TIMEZONE"]))


@bp.get("/")
def index():
    if not can_view_audit(current_user):
        abort(403)
    args = request.args
    before = args.get("before", type=int)
    size = current_app.config["PAGE_SIZE"]
    entries = queries.search(
        actor=args.get("actor", "").strip(), action=args.get("action", "").strip(),
        object_type=args.get("object_type", "").strip(), object_id=args.get("object_id", "").strip(),
        since=_day_start(args.get("since", "")), until=_day_start(args.get("until", ""), next_day=True),
        before_seq=before, limit=size + 1,
    )
    more = len(entries) > size
    return render_template("audit/index.html", entries=entries[:size], more=more,
                           actions=queries.actions(), args=args)


@bp.post("/verify")
def verify_chain():
    if not can_view_audit(current_user):
        abort(403)
    result = verify()
    return render_template("audit/verify.html", result=result)
