"""Calendar files: a meeting's .ics invitation, the personal feed page, and the feed itself — a
public URL opened by its secret token, for calendar clients that cannot log in."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.db import commit, db, utcnow, writes_on_get
from oversight.web.security import public
from ..permissions import can_use_liaison, within_either
from . import ics, permissions, queries
from .forms import FeedForm
from .models import CalendarFeed, Meeting

bp = Blueprint("liaison_feed", __name__, url_prefix="/liaison")
ICS = "text/calendar; charset=utf-8"


@bp.get("/meetings/<int:meeting_id>/invitation.ics")
def invitation(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not permissions.can_view(current_user, meeting):
        abort(404)
    data = ics.invitation_ics(meeting, url=url_for("liaison_meetings.detail", meeting_id=meeting.id, _external=True))
    return Response(data, mimetype=ICS, headers={"Content-Disposition": f"attachment; filename=meeting-{meeting.id}.ics"})


@bp.route("/calendar/feed", methods=["GET", "POST"])
def feed_page():
    if not can_use_liaison(current_user):
        abort(403)
    form = FeedForm()
    if form.validate_on_submit():
        token = ics.issue_feed_token(current_user)
        commit()
        # Shown once, in this response only: never in flash() (the cookie session) nor in a redirect.
        response = Response(render_template("liaison/meetings/feed.html", form=form, has_feed=True,
                                            feed_url=url_for(".feed", token=token, _external=True)))
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("liaison/meetings/feed.html", form=form, has_feed=ics.has_feed(current_user))


@bp.get("/feed/<token>.ics")
@public
@writes_on_get
def feed(token: str):
    user = ics.feed_owner(token)
    if user is None or not can_use_liaison(user):  # the feed ends with the liaison role
        abort(404)
    # Only what the user may still see, from where they now work (a move to another institution ends it).
    meetings = [m for m in queries.for_feed(user.id, since=ics.feed_since())
                if permissions.can_view(user, m) and within_either(user.organisation, m.organiser_org, m.counterpart_org)]
    # The file first: a commit expires every loaded meeting, and reading them again is a query each.
    data = ics.feed_ics(meetings, name=_("%(n)s的联络会议", n=user.display_name),
                        url_for_meeting=lambda m: url_for("liaison_meetings.detail", meeting_id=m.id, _external=True))
    row = db.session.get(CalendarFeed, user.id)
    row.last_used_at = utcnow()
    commit()
    return Response(data, mimetype=ICS, headers={"Cache-Control": "no-store"})
