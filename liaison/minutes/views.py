"""Minutes pages: drafting (attendance, discussion per agenda item, decisions), the amendment window,
approval, corrections, PDF/DOCX; the action items with their actions."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.accounts.models import User
from oversight.db import commit, db
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.orgs.queries import choices as org_choices
from oversight.referrals.models import ReferralType
from oversight.referrals.queries import types_for
from oversight.web.forms import apply_errors
from ..labels import label
from ..meetings.models import AgendaItem, Meeting
from ..meetings.permissions import can_manage, can_view
from ..permissions import can_use_liaison, within_either
from . import documents, item_services, permissions, queries, services
from .forms import AmendmentForm, CompleteForm, DecisionForm, DropForm, MinutesForm, SpawnForm, SpawnTopicForm, StepForm
from .models import ActionItem, Minutes
from .workflow import ItemAction, MinutesAction, MinutesState

bp = Blueprint("liaison_minutes", __name__, url_prefix="/liaison/minutes")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
def _liaison_users_only():
    if not can_use_liaison(current_user):
        abort(403)


def _load(meeting_id: int) -> Minutes:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can_view(current_user, meeting):
        abort(404)
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        abort(404)
    if minutes.state is MinutesState.DRAFT and not can_manage(current_user, meeting):
        abort(404)  # a draft is the organiser's until it is sent out for comments
    return minutes


def _decision_form(minutes: Minutes, formdata=None) -> DecisionForm:
    form = DecisionForm(formdata=formdata) if formdata is not None else DecisionForm(formdata=None)
    meeting = minutes.meeting
    form.agenda_item.choices = [(0, _("— 不限 —"))] + [(a.id, a.title) for a in meeting.agenda]
    orgs = [o for o in org_choices() if within_either(o, meeting.organiser_org, meeting.counterpart_org)]
    form.owner_org.choices = [(0, _("— 不跟踪 —"))] + [(o.id, o.name) for o in orgs]
    people = db.session.scalars(sa.select(User).where(User.active.is_(True), User.organisation_id.in_([o.id for o in orgs]))
                                .order_by(User.display_name))
    form.owner.choices = [(0, _("— 无 —"))] + [(u.id, f"{u.display_name}（{u.organisation.name}）") for u in people]
    return form


def _page(minutes: Minutes, *, failed: dict | None = None, status: int = 200):
    allowed = permissions.minutes_actions(current_user, minutes)
    forms = {"minutes": MinutesForm(formdata=None, obj=minutes), "decision": _decision_form(minutes),
             "step": StepForm(formdata=None, version=minutes.version), "amendment": AmendmentForm(formdata=None)}
    forms.update(failed or {})
    return render_template("liaison/minutes/detail.html", minutes=minutes, m=minutes.meeting, allowed=allowed,
                           A=MinutesAction, forms=forms, items=queries.of_meeting(minutes.meeting)), status


@bp.get("/<int:meeting_id>")
def detail(meeting_id: int):
    return _page(_load(meeting_id))


def _done(minutes: Minutes, message: str):
    commit()
    flash(message, "success")
    return redirect(url_for(".detail", meeting_id=minutes.meeting_id))


@bp.post("/<int:meeting_id>/edit")
def edit(meeting_id: int):
    minutes = _load(meeting_id)
    services.check(minutes, MinutesAction.EDIT, current_user)  # approved minutes: refused with the reason
    form = MinutesForm()
    if form.validate():
        try:
            services.edit(minutes, actor=current_user, summary=form.summary.data,
                          discussions={a.id: request.form.get(f"discussion-{a.id}", "") for a in minutes.meeting.agenda},
                          present={int(v) for v in request.form.getlist("present") if v.isdigit()},
                          expected_version=form.version.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return _done(minutes, _("会议纪要已保存。"))
    return _page(minutes, failed={"minutes": form}, status=422)


@bp.post("/<int:meeting_id>/decisions")
def add_decision(meeting_id: int):
    minutes = _load(meeting_id)
    services.check(minutes, MinutesAction.EDIT, current_user)
    form = _decision_form(minutes, request.form)
    if form.validate():
        try:
            services.add_decision(
                minutes, actor=current_user, text=form.text.data,
                agenda_item=db.session.get(AgendaItem, form.agenda_item.data) if form.agenda_item.data else None,
                owner_org=db.session.get(Organisation, form.owner_org.data) if form.owner_org.data else None,
                owner=db.session.get(User, form.owner.data) if form.owner.data else None, due_on=form.due_on.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return _done(minutes, _("议定事项已增加。"))
    return _page(minutes, failed={"decision": form}, status=422)


_STEPS = {
    MinutesAction.OPEN_REVIEW: (lambda m, v: services.open_review(m, actor=current_user, expected_version=v),
                                lambda m: _("已送参会人员征求意见，截止 %(d)s。", d=m.review_until.isoformat())),
    MinutesAction.REVISE: (lambda m, v: services.revise(m, actor=current_user, expected_version=v),
                           lambda m: _("纪要已退回修改。")),
    MinutesAction.APPROVE: (lambda m, v: services.approve(m, actor=current_user, expected_version=v),
                            lambda m: _("会议纪要已审定并锁定。")),
}


@bp.post("/<int:meeting_id>/step/<action_name>")
def step(meeting_id: int, action_name: str):
    minutes = _load(meeting_id)
    try:
        action = MinutesAction(action_name)
    except ValueError:
        abort(404)
    if action not in _STEPS:
        abort(404)
    form = StepForm()
    services.check(minutes, action, current_user, expected_version=form.version.data)
    perform, message = _STEPS[action]
    perform(minutes, form.version.data)
    return _done(minutes, message(minutes))


@bp.post("/<int:meeting_id>/amendments")
def amend(meeting_id: int):
    minutes = _load(meeting_id)
    action = MinutesAction.CORRECT if minutes.state is MinutesState.APPROVED else MinutesAction.PROPOSE_AMENDMENT
    services.check(minutes, action, current_user)
    form = AmendmentForm()
    if form.validate():
        call = services.correct if action is MinutesAction.CORRECT else services.propose_amendment
        try:
            call(minutes, actor=current_user, text=form.text.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return _done(minutes, _("%(k)s已提交。", k=label(action)))
    return _page(minutes, failed={"amendment": form}, status=422)


@bp.get("/<int:meeting_id>/minutes.pdf")
def pdf(meeting_id: int):
    minutes = _load(meeting_id)
    return send_file(io.BytesIO(documents.minutes_pdf(minutes)), mimetype="application/pdf", as_attachment=True,
                     download_name=_("会议纪要-%(n)d.pdf", n=minutes.meeting_id))


@bp.get("/<int:meeting_id>/minutes.docx")
def docx(meeting_id: int):
    minutes = _load(meeting_id)
    return send_file(io.BytesIO(documents.minutes_docx(minutes)), mimetype=DOCX, as_attachment=True,
                     download_name=_("会议纪要-%(n)d.docx", n=minutes.meeting_id))


# --- action items --------------------------------------------------------------------------------

@bp.get("/items")
def items():
    return render_template("liaison/minutes/items.html", items=queries.action_items(current_user))


def _item(item_id: int) -> ActionItem:
    item = db.get_or_404(ActionItem, item_id)
    if not (can_view(current_user, item.meeting) or item.owner_id == current_user.id
            or permissions.organises_for(current_user, item.owner_org)):
        abort(404)
    return item


def _item_page(item: ActionItem, *, failed: dict | None = None, status: int = 200):
    allowed = permissions.item_actions(current_user, item)
    forms = {"complete": CompleteForm(formdata=None, version=item.version),
             "drop": DropForm(formdata=None, version=item.version),
             "spawn": SpawnForm(formdata=None, version=item.version),
             "topic": SpawnTopicForm(formdata=None, version=item.version)}
    forms.update(failed or {})
    _topic_choices(forms["topic"])
    direction = permissions.spawn_direction(current_user)
    forms["spawn"].rtype.choices = [(0, _("— 请选择 —"))] + [(t.id, t.name) for t in types_for(direction, requires_deputy=False)] \
        if direction else []
    return render_template("liaison/minutes/item.html", item=item, allowed=allowed, A=ItemAction, forms=forms,
                           context=item_services.context_of(item)), status


def _topic_choices(form: SpawnTopicForm) -> None:
    from issues import labels as topic_labels
    from issues.models import Area
    from issues.queries import lead_body_choices

    form.lead_body.choices = [(o.id, o.name) for o in lead_body_choices(current_user)]
    form.area.choices = [(a.value, topic_labels.area(a)) for a in Area]


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    return _item_page(_item(item_id))


@bp.post("/items/<int:item_id>/<action_name>")
def item_act(item_id: int, action_name: str):
    item = _item(item_id)
    try:
        action = ItemAction(action_name)
    except ValueError:
        abort(404)
    item_services.check(item, action, current_user)
    key, form = {ItemAction.COMPLETE: ("complete", CompleteForm), ItemAction.DROP: ("drop", DropForm),
                 ItemAction.SPAWN_REFERRAL: ("spawn", SpawnForm),
                 ItemAction.SPAWN_TOPIC: ("topic", SpawnTopicForm)}[action]
    form = form()
    if action is ItemAction.SPAWN_TOPIC:
        _topic_choices(form)
    if action is ItemAction.SPAWN_REFERRAL:
        form.rtype.choices = [(t.id, t.name) for t in types_for(permissions.spawn_direction(current_user), requires_deputy=False)]
    if form.validate():
        try:
            if action is ItemAction.COMPLETE:
                item_services.complete(item, actor=current_user, note=form.note.data, expected_version=form.version.data)
            elif action is ItemAction.DROP:
                item_services.drop(item, actor=current_user, reason=form.reason.data, expected_version=form.version.data)
            elif action is ItemAction.SPAWN_TOPIC:
                from issues.models import Area
                topic = item_services.spawn_topic(item, actor=current_user, title=form.title.data,
                                                  lead_body=db.session.get(Organisation, form.lead_body.data),
                                                  area=Area(form.area.data), expected_version=form.version.data)
            else:
                referral = item_services.spawn_referral(item, actor=current_user, title=form.title.data,
                                                        rtype=db.session.get(ReferralType, form.rtype.data),
                                                        expected_version=form.version.data)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            if action is ItemAction.SPAWN_TOPIC:
                flash(_("已根据待办事项生成监督议题，来源记为会议议定事项。"), "success")
                return redirect(url_for("topics.detail", topic_id=topic.id))
            if action is ItemAction.SPAWN_REFERRAL:
                flash(_("已根据待办事项生成移送事项草稿，请核对后移送。"), "success")
                return redirect(url_for("referrals.detail", referral_id=referral.id))
            flash(_("待办事项：%(a)s。", a=label(action)), "success")
            return redirect(url_for(".item", item_id=item.id))
    return _item_page(item, failed={key: form}, status=422)
