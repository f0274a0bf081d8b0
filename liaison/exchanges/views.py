"""Exchange activity pages: planning, the activity with its participants, RSVP, attendance, feedback."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.accounts.models import User
from oversight.db import commit, db
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation, Side
from oversight.web.forms import apply_errors
from oversight.workdays import today
from ..forms import to_utc
from ..meetings.views import _counterparts
from ..permissions import LIAISON_ROLES, can_use_liaison, organises_for, within_either
from . import queries, services
from .forms import (ActivityForm, AttendanceForm, CancelForm, FeedbackForm, InviteForm, MilestoneDoneForm,
                    MilestoneForm, RespondForm)
from .models import ExchangeActivity, ExchangeKind, ExchangeState, ResearchMilestone

bp = Blueprint("liaison_exchanges", __name__, url_prefix="/liaison/exchanges")


@bp.before_request
def _liaison_users_only():
    if not can_use_liaison(current_user):
        abort(403)


def _load(activity_id: int) -> ExchangeActivity:
    activity = db.get_or_404(ExchangeActivity, activity_id)
    if not queries.can_view(current_user, activity):
        abort(404)
    return activity


@bp.route("/new", methods=["GET", "POST"])
def create():
    if not organises_for(current_user, current_user.organisation):
        abort(403)
    form = ActivityForm()
    form.set_choices(_counterparts())
    if form.validate_on_submit():
        try:
            activity = services.plan(actor=current_user, kind=ExchangeKind(form.kind.data), title=form.title.data,
                                     starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
                                     partner=db.session.get(Organisation, form.partner.data), place=form.place.data,
                                     description=form.description.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("交流活动“%(t)s”已安排。", t=activity.title), "success")
            return redirect(url_for(".detail", activity_id=activity.id))
    return render_template("liaison/exchanges/form.html", form=form), 422 if request.method == "POST" else 200


def _page(activity: ExchangeActivity, *, failed: dict | None = None, status: int = 200):
    manage = organises_for(current_user, activity.organiser_org)
    mine = next((p for p in activity.participants if p.user_id == current_user.id), None)
    forms = {"invite": InviteForm(formdata=None), "respond": RespondForm(formdata=None),
             "attendance": AttendanceForm(formdata=None), "feedback": FeedbackForm(formdata=None),
             "cancel": CancelForm(formdata=None), "milestone": MilestoneForm(formdata=None),
             "done": MilestoneDoneForm(formdata=None)}
    users = db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.display_name))
    forms["invite"].users.choices = [(u.id, f"{u.display_name}（{u.organisation.name}）") for u in users
                                     if within_either(u.organisation, activity.organiser_org, activity.partner_org)
                                     and u.has_role(*LIAISON_ROLES)]
    forms.update(failed or {})
    research = activity.kind is ExchangeKind.JOINT_RESEARCH
    return render_template("liaison/exchanges/detail.html", a=activity, manage=manage, mine=mine, forms=forms,
                           planned=activity.state is ExchangeState.PLANNED, research=research,
                           sides=services.members_by_side(activity) if research else {}, Side=Side,
                           plans=research and activity.state is not ExchangeState.CANCELLED and (
                               organises_for(current_user, activity.organiser_org)
                               or organises_for(current_user, activity.partner_org)),
                           works=services.works_on_research(current_user, activity)
                           and activity.state is not ExchangeState.CANCELLED,
                           failed_milestone=(failed or {}).get("milestone_id"), today=today()), status


@bp.get("/<int:activity_id>")
def detail(activity_id: int):
    return _page(_load(activity_id))


@bp.post("/<int:activity_id>/<step>")
def act(activity_id: int, step: str):
    activity = _load(activity_id)
    mine = next((p for p in activity.participants if p.user_id == current_user.id), None)
    steps = {
        "invite": (InviteForm, lambda f: services.invite(activity, actor=current_user,
                                                         users=[db.session.get(User, i) for i in f.users.data])),
        "respond": (RespondForm, lambda f: services.respond(mine, actor=current_user, accept=f.answer.data == "yes",
                                                            reason=f.reason.data)),
        "attendance": (AttendanceForm, lambda f: services.record_attendance(
            activity, actor=current_user, present={int(v) for v in request.form.getlist("present") if v.isdigit()},
            outputs=f.outputs.data)),
        "feedback": (FeedbackForm, lambda f: services.give_feedback(mine, actor=current_user, text=f.text.data)),
        "cancel": (CancelForm, lambda f: services.cancel(activity, actor=current_user, reason=f.reason.data)),
        "milestone": (MilestoneForm, lambda f: services.add_milestone(activity, actor=current_user, title=f.title.data,
                                                                      due_on=f.due_on.data)),
    }
    if step not in steps or (step in ("respond", "feedback") and mine is None):
        abort(404)
    form_cls, perform = steps[step]
    form = form_cls()
    if step == "invite":
        form.users.choices = [(u.id, u.display_name) for u in db.session.scalars(sa.select(User))]
    if form.validate():
        try:
            perform(form)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("已保存。"), "success")
            return redirect(url_for(".detail", activity_id=activity.id))
    return _page(activity, failed={step: form}, status=422)


@bp.post("/milestones/<int:milestone_id>/done")
def milestone_done(milestone_id: int):
    milestone = db.get_or_404(ResearchMilestone, milestone_id)
    activity = _load(milestone.activity_id)
    form = MilestoneDoneForm()
    if form.validate():
        try:
            services.complete_milestone(milestone, actor=current_user, output=form.output.data,
                                        expected_version=form.version.data)
        except ValidationFailed as exc:   # no right or a stale version: the app's error page says so
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("里程碑已完成。"), "success")
            return redirect(url_for(".detail", activity_id=activity.id))
    return _page(activity, failed={"done": form, "milestone_id": milestone.id}, status=422)


@bp.get("/research")
def research():
    """Joint research projects the user may see, with their milestones' progress."""
    return render_template("liaison/exchanges/research.html", projects=queries.research_projects(current_user),
                           today=today())
