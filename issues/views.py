"""The topic pages: the list with filters and export, opening a topic, and the topic page — the three
lists side by side, progress by unit, overdue items first, the timeline, sources and the actions."""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.audit import services as audit
from oversight.db import commit, db, writes_on_get
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.referrals import queries as referral_queries
from oversight.referrals.models import Classification, Referral
from oversight.referrals.queries import DueThresholds
from oversight.web.forms import apply_errors
from oversight.workdays import today

from . import documents, labels, permissions, queries
from .forms import (TOPIC_FORMS, FilterForm, ItemForm, ProblemForm, ResponsibilityForm, SourceForm, TopicForm,
                    action_form)
from .models import Area, Topic
from .services import issuing, topics as topic_services
from .workflow import Severity, TopicAction

bp = Blueprint("topics", __name__, url_prefix="/topics")
bp.add_app_template_global(labels, "topic_labels")
EXPORT_MAX_ROWS = 5_000


def load(topic_id: int) -> Topic:
    """The topic, or 404 — also for one the user may not see. The three lists come in a few
    statements (not one per problem and responsibility: a big topic has hundreds of items)."""
    from sqlalchemy.orm import selectinload

    from .models import Problem, Responsibility, TopicSource

    topic = db.session.get(Topic, topic_id, options=[
        selectinload(Topic.problems).selectinload(Problem.responsibilities).options(
            selectinload(Responsibility.items), selectinload(Responsibility.co_units)),
        selectinload(Topic.sources).selectinload(TopicSource.referral)])
    if topic is None:
        abort(404)
    if not permissions.can_view(current_user, topic):
        abort(404)
    return topic


def _filters():
    form = FilterForm(request.args)
    form.set_choices(queries.unit_choices())
    valid = form.validate() if request.args else True
    if not valid:
        return form, queries.Filters()
    return form, queries.Filters(
        state=form.state.data or None, area=Area(form.area.data) if form.area.data else None,
        unit_id=form.unit.data or None, overdue_only=bool(form.overdue.data), keyword=form.keyword.data or "")


@bp.get("/")
def index():
    if not permissions.can_use_topics(current_user):
        abort(403)
    form, filters = _filters()
    page = queries.topics(current_user, filters, after=request.args.get("after"),
                          limit=current_app.config["PAGE_SIZE"])
    rollups = queries.rollups(t.id for t in page.rows)
    return render_template("topics/index.html", form=form, page=page, rollups=rollups,
                           can_create=permissions.can_create(current_user),
                           export_url=url_for(".export", **{k: v for k, v in request.args.items() if k != "after"}))


@bp.get("/export.xlsx")
@writes_on_get  # every export is audited
def export():
    if not permissions.can_use_topics(current_user):
        abort(403)
    _form, filters = _filters()
    rows = queries.for_export(current_user, filters)
    if len(rows) > EXPORT_MAX_ROWS:
        flash(_("符合条件的议题超过 %(n)d 个，请缩小筛选范围后再导出。", n=EXPORT_MAX_ROWS), "error")
        return redirect(url_for(".index", **request.args))
    data = documents.topics_workbook(rows, queries.rollups(t.id for t in rows))
    audit.record("topic.export.downloaded", actor=current_user, summary={
        "rows": len(rows), "filters": {k: v for k, v in request.args.items() if k != "after" and v not in ("", None)}})
    commit()
    return send_file(io.BytesIO(data), mimetype=documents.XLSX, as_attachment=True,
                     download_name=_("监督议题-%(d)s.xlsx", d=today().isoformat()))


def referral_choices() -> list[Referral]:
    page = referral_queries.search(current_user, referral_queries.Filters(sort=referral_queries.Sort.UPDATED),
                                   limit=200)
    return [r for r in page.rows if r.serial]


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not permissions.can_create(current_user):
        abort(403)
    form = TopicForm()
    form.set_choices(queries.lead_body_choices(current_user), referral_choices())
    if form.validate_on_submit():
        try:
            topic = topic_services.create_topic(
                actor=current_user, title=form.title.data, description=form.description.data,
                area=Area(form.area.data), lead_body=db.session.get(Organisation, form.lead_body.data),
                classification=Classification(form.classification.data),
                referrals=[db.session.get(Referral, rid) for rid in form.referrals.data])
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("监督议题“%(t)s”已建立，请起草三张清单。", t=topic.title), "success")
            return redirect(url_for(".detail", topic_id=topic.id))
    return render_template("topics/new.html", form=form), 422 if form.errors else 200


def detail_page(topic: Topic, *, failed: tuple | None = None, drafting: dict | None = None, status: int = 200):
    """The topic page; `failed` = (action, bound form) and `drafting` = {name: bound form} re-shown."""
    forms = {a: action_form(TOPIC_FORMS, a, topic) for a in permissions.allowed_actions(current_user, topic)
             if a in TOPIC_FORMS}
    if failed:
        forms[failed[0]] = failed[1]
    draft_forms = {}
    if permissions.can_edit_lists(current_user, topic):
        units = queries.unit_choices(topic)
        draft_forms = {"problem": ProblemForm(formdata=None, prefix="problem"),
                       "responsibility": ResponsibilityForm(formdata=None, prefix="resp"),
                       "item": ItemForm(formdata=None, prefix="item"), "source": SourceForm(formdata=None, prefix="source")}
        draft_forms.update(drafting or {})
        draft_forms["problem"].set_choices()
        draft_forms["responsibility"].set_choices(topic, units)
        draft_forms["item"].set_choices(topic)
        draft_forms["source"].referral.choices = [(0, _("— 请选择 —"))] + [
            (r.id, f"{r.serial} {r.title}") for r in referral_choices()]
    thresholds = DueThresholds.on()
    owner_side = permissions.is_owner_side(current_user, topic)
    items = queries.items_of(topic, thresholds.today)
    issued = {}
    if not owner_side:
        # The units see the last issued lists, never the committee's drafts of a revision.
        items = [i for i in items if i.issued_in is not None]
        issued = _issued_lists(topic)
    return render_template(
        "topics/detail.html", t=topic, forms=forms, failed=failed[0] if failed else None, draft_forms=draft_forms,
        roll=queries.progress(topic, thresholds.today), items=items,
        due={i.id: queries.due_status(i, thresholds) for i in items},
        events=queries.topic_timeline(topic, public_only=not owner_side), versions=topic.versions,
        item_by_id={i.id: i for i in items}, Severity=Severity,
        owner_side=owner_side, issued=issued,
        sources=[(s, s.referral is None or _can_see(s.referral)) for s in topic.sources]), status


def _issued_lists(topic: Topic) -> dict:
    """The last issued version's three tables, and its wording of each issued item."""
    if not topic.versions:
        return {"problems": [], "measures": {}}
    snap = issuing.load_snapshot(topic.versions[-1])
    measures = {i["key"]: i["measures"] for p in snap["problems"] for r in p["responsibilities"] for i in r["items"]}
    return {"problems": snap["problems"], "measures": measures}


def _can_see(referral: Referral) -> bool:
    from oversight.referrals.permissions import can_view

    return can_view(current_user, referral)


@bp.get("/<int:topic_id>")
def detail(topic_id: int):
    return detail_page(load(topic_id))


PERFORM = {
    TopicAction.SUBMIT: lambda t, f: issuing.submit(t, actor=current_user),
    TopicAction.SEND_BACK: lambda t, f: issuing.send_back(t, actor=current_user, reason=f.reason.data),
    TopicAction.ISSUE: lambda t, f: issuing.issue(t, actor=current_user, note=f.note.data),
    TopicAction.REVISE: lambda t, f: issuing.revise(t, actor=current_user, reason=f.reason.data),
    TopicAction.EVALUATE: lambda t, f: topic_services.evaluate(t, actor=current_user, evaluation=f.evaluation.data),
    TopicAction.CLOSE: lambda t, f: topic_services.close(t, actor=current_user, note=f.note.data),
}


@bp.post("/<int:topic_id>/act/<action_name>")
def act(topic_id: int, action_name: str):
    topic = load(topic_id)
    try:
        action = TopicAction(action_name)
    except ValueError:
        abort(404)
    if action not in PERFORM:
        abort(404)
    # Stale page, wrong state or wrong person: the global handler answers 409/403 with the reason.
    topic_services.check(topic, action, current_user,
                         expected_version=request.form.get(f"{action.value}-version", type=int))
    form = action_form(TOPIC_FORMS, action, topic, formdata=request.form)
    if form.validate():
        try:
            PERFORM[action](topic, form)
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("“%(a)s”已完成。议题状态：%(s)s。", a=labels.topic_action(action),
                    s=labels.topic_state(topic.state)), "success")
            return redirect(url_for(".detail", topic_id=topic.id))
    return detail_page(topic, failed=(action, form), status=422)


@bp.get("/help")
def help():  # noqa: A001 — the endpoint's name
    """How topics and rectification items move: drawn from the two workflow tables the services use."""
    from oversight.accounts.models import Role

    from .services.items import ESCALATE_AT
    from .workflow import ITEM_TRANSITIONS, TOPIC_TRANSITIONS, ItemAction, ItemState, TopicState

    def rows(table, states, actions):
        order, acts = {s: i for i, s in enumerate(states)}, {a: i for i, a in enumerate(actions)}
        return [{"state": s, "action": a, "rule": rule, "roles": [Role(r).label for r in sorted(rule.roles)]}
                for (s, a), rule in sorted(table.items(), key=lambda kv: (order[kv[0][0]], acts[kv[0][1]]))]

    return render_template("topics/help.html", topic_rows=rows(TOPIC_TRANSITIONS, TopicState, TopicAction),
                           item_rows=rows(ITEM_TRANSITIONS, ItemState, ItemAction), escalate_at=ESCALATE_AT,
                           soon_days=current_app.config["DUE_SOON_WORKING_DAYS"])
