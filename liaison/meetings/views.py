"""Meeting pages: the calendar (month and list), scheduling, the meeting page with its agenda,
invitations and the organiser's actions, and answering an invitation."""
from __future__ import annotations

import calendar as month_calendar
import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.accounts.models import User
from oversight.attachments import queries as attachment_queries, services as attachment_services
from oversight.attachments.forms import UploadForm
from oversight.db import commit, db, utcnow
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import institution_of
from oversight.orgs.queries import choices as org_choices, pairing_of
from oversight.referrals.models import Referral
from oversight.web.forms import apply_errors
from issues import permissions as topic_permissions
from issues.models import Topic
from reports.models import ReportRun
from ..exchanges import queries as exchange_queries
from ..forms import to_local, to_utc
from ..labels import label
from ..permissions import INSTITUTION_KINDS, LIAISON_ROLES, can_use_liaison, within_either
from . import permissions, queries, services
from .forms import AgendaForm, CancelForm, HoldForm, InviteForm, MeetingForm, RsvpForm
from .models import Invitation, Meeting
from .workflow import Action, MeetingKind, Response

bp = Blueprint("liaison_meetings", __name__, url_prefix="/liaison/meetings")
bp.add_app_template_global(label, "liaison_label")


@bp.before_request
def _liaison_users_only():
    if not can_use_liaison(current_user):
        abort(403)


def _load(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not permissions.can_view(current_user, meeting):
        abort(404)
    return meeting


# --- calendar -----------------------------------------------------------------------------------

@bp.get("/")
def calendar():
    view = request.args.get("view", "list")
    today = to_local(utcnow()).date()
    try:
        first = dt.date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    start, end = to_utc(dt.datetime.combine(first, dt.time())), to_utc(dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1))
    entries = [("meeting", m, url_for(".detail", meeting_id=m.id)) for m in queries.between(current_user, start, end)]
    entries += [("exchange", a, url_for("liaison_exchanges.detail", activity_id=a.id))
                for a in exchange_queries.between(current_user, start, end)]
    entries.sort(key=lambda e: e[1].starts_at)
    days: dict[dt.date, list] = {}
    for entry in entries:
        days.setdefault(to_local(entry[1].starts_at).date(), []).append(entry)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    previous = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    following = (last + dt.timedelta(days=1)).strftime("%Y-%m")
    return render_template("liaison/meetings/calendar.html", view=view, first=first, weeks=weeks, days=days,
                           entries=entries, today=today, previous=previous, following=following,
                           can_schedule=permissions.can_schedule(current_user))


# --- scheduling and editing -----------------------------------------------------------------------

def _counterparts() -> list[Organisation]:
    mine = institution_of(current_user.organisation)
    others = [o for o in org_choices(kinds=set(INSTITUTION_KINDS))
              if o.side is not mine.side and services.may_meet(mine, o)]
    paired = pairing_of(mine)
    return sorted(others, key=lambda o: (paired is None or o.id != paired.id, o.path))


@bp.route("/new", methods=["GET", "POST"])
def create():
    if not permissions.can_schedule(current_user):
        abort(403)
    form = MeetingForm()
    form.set_choices(_counterparts())
    if form.validate_on_submit():
        try:
            meeting = services.schedule(
                actor=current_user, kind=MeetingKind(form.kind.data), title=form.title.data,
                starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
                counterpart=db.session.get(Organisation, form.counterpart.data), place=form.place.data,
                online_url=form.online_url.data, description=form.description.data)
            for line in (form.agenda.data or "").splitlines():
                if line.strip():
                    services.add_agenda_item(meeting, actor=current_user, title=line)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("会议“%(t)s”已安排。请邀请参会人员。", t=meeting.title), "success")
            return redirect(url_for(".detail", meeting_id=meeting.id))
    return render_template("liaison/meetings/form.html", form=form, meeting=None), \
        422 if request.method == "POST" else 200


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = _load(meeting_id)
    services.check(meeting, Action.EDIT, current_user)
    form = MeetingForm(obj=meeting) if request.method == "GET" else MeetingForm()
    form.set_choices([meeting.counterpart_org])
    del form.agenda
    if request.method == "GET":
        form.starts_at.data, form.ends_at.data = to_local(meeting.starts_at), to_local(meeting.ends_at)
        form.kind.data, form.counterpart.data = meeting.kind.value, meeting.counterpart_org_id
    if form.validate_on_submit():
        try:
            services.update(meeting, actor=current_user, kind=MeetingKind(form.kind.data), title=form.title.data,
                            starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
                            place=form.place.data, online_url=form.online_url.data,
                            description=form.description.data, expected_version=form.version.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("会议信息已更新，已通知参会人员。"), "success")
            return redirect(url_for(".detail", meeting_id=meeting.id))
    return render_template("liaison/meetings/form.html", form=form, meeting=meeting), \
        422 if request.method == "POST" else 200


# --- one meeting -------------------------------------------------------------------------------------

def _invitable(meeting: Meeting) -> list[User]:
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.organisation_id, User.display_name))
    return [u for u in users if within_either(u.organisation, meeting.organiser_org, meeting.counterpart_org)
            and u.has_role(*LIAISON_ROLES)]


def _colleagues(invitation: Invitation) -> list[User]:
    home = institution_of(invitation.user.organisation).id
    taken = {i.user_id for i in invitation.meeting.invitations}
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.display_name))
    return [u for u in users if u.id not in taken and institution_of(u.organisation).id == home]


def _agenda_choices(form: AgendaForm, meeting: Meeting) -> None:
    """The pickers list only what the current user may see; the service checks again."""
    none = (0, _("— 不关联 —"))
    form.referral.choices = [none] + [(r.id, f"{r.serial} {r.title}")
                                      for r in queries.agenda_referrals(current_user, meeting)]
    form.topic.choices = [none] + [(t.id, f"{t.serial or ''} {t.title}".strip())
                                   for t in queries.agenda_topics(current_user)]
    form.report.choices = [none] + [(r.id, services.report_title(r)) for r in queries.agenda_reports(current_user)]


def _detail_page(meeting: Meeting, *, failed: dict | None = None, status: int = 200):
    allowed = permissions.allowed_actions(current_user, meeting)
    forms = {}
    if Action.INVITE in allowed:
        forms["invite"] = InviteForm(formdata=None, version=meeting.version)
        forms["invite"].users.choices = [(u.id, f"{u.display_name}（{u.organisation.name}）") for u in _invitable(meeting)]
    if Action.ADD_AGENDA in allowed:
        forms["agenda"] = AgendaForm(formdata=None, version=meeting.version)
        _agenda_choices(forms["agenda"], meeting)
    if Action.CANCEL in allowed:
        forms["cancel"] = CancelForm(formdata=None, version=meeting.version)
    if Action.HOLD in allowed:
        forms["hold"] = HoldForm(formdata=None, version=meeting.version)
    mine = queries.invitation_of(meeting, current_user)
    if mine is not None and permissions.can_respond(current_user, mine):
        forms["rsvp"] = RsvpForm(formdata=None, version=mine.version)
        forms["rsvp"].set_choices(_colleagues(mine))
    forms.update(failed or {})
    # The other meeting's title only if the viewer may see that meeting; otherwise just "busy".
    conflicts = {i.id: [other.title if permissions.can_view(current_user, other) else None
                        for other in queries.conflicts(i.user_id, meeting.starts_at, meeting.ends_at,
                                                       exclude_id=meeting.id)]
                 for i in meeting.invitations if i.response in (Response.PENDING, Response.ACCEPTED)}
    from ..minutes.queries import minutes_of
    from ..minutes.workflow import MinutesState

    minutes = minutes_of(meeting)
    if minutes is not None and minutes.state is MinutesState.DRAFT and not permissions.can_manage(current_user, meeting):
        minutes = None  # the draft is not shown before the review opens

    return render_template("liaison/meetings/detail.html", m=meeting, forms=forms, allowed=allowed, mine=mine,
                           topic_visible=lambda topic: topic_permissions.can_view(current_user, topic),
                           conflicts=conflicts, minutes=minutes, can_edit=Action.EDIT in allowed,
                           attachments=attachment_queries.for_owner(current_user, Meeting.__tablename__, meeting.id),
                           upload_url=url_for(".upload", meeting_id=meeting.id)
                           if permissions.can_attach(current_user, meeting) else None), status


@bp.get("/<int:meeting_id>")
def detail(meeting_id: int):
    return _detail_page(_load(meeting_id))


def _act(meeting: Meeting, key: str, form, perform, done: str):
    """The shape of every action: validate → one service call → commit → flash → redirect."""
    if form.validate():
        try:
            result = perform(form)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(done, "success")
            for user, other in (result if isinstance(result, list) else []):
                if permissions.can_view(current_user, other):
                    flash(_("时间冲突提醒：%(n)s 在该时段已有会议“%(t)s”（%(s)s）。", n=user.display_name, t=other.title,
                            s=to_local(other.starts_at).strftime("%Y-%m-%d %H:%M")), "warning")
                else:
                    flash(_("时间冲突提醒：%(n)s 该时段另有安排。", n=user.display_name), "warning")
            return redirect(url_for(".detail", meeting_id=meeting.id))
    return _detail_page(meeting, failed={key: form}, status=422)


@bp.post("/<int:meeting_id>/invite")
def invite(meeting_id: int):
    meeting = _load(meeting_id)
    services.check(meeting, Action.INVITE, current_user)
    form = InviteForm()
    # Choices are the whole directory: the service, not the list, decides who may be invited.
    form.users.choices = [(u.id, u.display_name) for u in db.session.scalars(sa.select(User))]
    return _act(meeting, "invite", form, lambda f: services.invite(
        meeting, actor=current_user, users=[db.session.get(User, i) for i in f.users.data],
        expected_version=f.version.data), _("邀请已发送。"))


@bp.post("/<int:meeting_id>/agenda")
def add_agenda(meeting_id: int):
    meeting = _load(meeting_id)
    services.check(meeting, Action.ADD_AGENDA, current_user)
    form = AgendaForm()
    _agenda_choices(form, meeting)
    return _act(meeting, "agenda", form, lambda f: services.add_agenda_item(
        meeting, actor=current_user, title=f.title.data,
        referral=db.session.get(Referral, f.referral.data) if f.referral.data else None,
        topic=db.session.get(Topic, f.topic.data) if f.topic.data else None,
        report_run=db.session.get(ReportRun, f.report.data) if f.report.data else None,
        expected_version=f.version.data), _("议程已增加。"))


@bp.post("/<int:meeting_id>/cancel")
def cancel(meeting_id: int):
    meeting = _load(meeting_id)
    services.check(meeting, Action.CANCEL, current_user)
    return _act(meeting, "cancel", CancelForm(), lambda f: services.cancel(
        meeting, actor=current_user, reason=f.reason.data, expected_version=f.version.data),
        _("会议已取消，已通知参会人员。"))


@bp.post("/<int:meeting_id>/hold")
def hold(meeting_id: int):
    meeting = _load(meeting_id)
    services.check(meeting, Action.HOLD, current_user)
    from ..minutes import services as minutes_services

    def perform(f):
        services.hold(meeting, actor=current_user, expected_version=f.version.data)
        minutes_services.start(meeting, actor=current_user)

    return _act(meeting, "hold", HoldForm(), perform, _("已确认会议召开，请起草会议纪要。"))


@bp.post("/<int:meeting_id>/rsvp")
def rsvp(meeting_id: int):
    meeting = _load(meeting_id)
    mine = queries.invitation_of(meeting, current_user)
    if mine is None:
        abort(403)
    form = RsvpForm()
    form.set_choices(_colleagues(mine))
    return _act(meeting, "rsvp", form, lambda f: services.respond(
        mine, actor=current_user, response=Response(f.response.data), reason=f.reason.data,
        delegate=db.session.get(User, f.delegate.data) if f.delegate.data else None,
        expected_version=f.version.data), _("已回复会议邀请。"))


@bp.post("/<int:meeting_id>/documents")
def upload(meeting_id: int):
    meeting = _load(meeting_id)
    if not permissions.can_attach(current_user, meeting):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    try:
        attachment = attachment_services.store(meeting, actor=current_user, upload_name=form.file.data.filename,
                                               stream=form.file.data.stream, internal=form.internal.data)
    except ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        commit()
        flash(_("会议材料“%(name)s”已上传。", name=attachment.filename), "success")
    return redirect(url_for(".detail", meeting_id=meeting.id))
