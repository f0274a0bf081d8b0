"""The referral pages: the inbox, what was sent, search and its export, writing a referral, the
detail page with one small form per allowed action, why a due date is what it is, and the help page."""
from __future__ import annotations

import csv
import io
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from ..accounts.models import Role, User
from ..attachments import permissions as attachment_permissions, queries as attachment_queries
from ..db import commit, db, utcnow, writes_on_get
from ..errors import ValidationFailed
from ..orgs.models import Organisation
from ..orgs.permissions import institution_of
from ..orgs.queries import pairing_of
from ..web.forms import apply_errors
from ..web.templating import local_time
from ..workdays import today
from . import deadlines, labels, permissions, queries, report_services, services
from .deadlines import DueKind, local_date
from .forms import ACTION_FORMS, MessageForm, ReferralForm, SearchForm, action_form
from .models import Classification, Referral, ReferralType
from .workflow import OPEN_STATES, TABLES, Action, Direction, Evaluation, Outcome, Party, State

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
bp.add_app_template_global(labels, "referral_labels")
bp.add_app_template_global(deadlines.is_provisional, "due_provisional")

EXPORT_MAX_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _create_directions():
    return {"create_directions": [d for d in Direction if permissions.can_create(current_user, d)]}


def _size() -> int:
    return current_app.config["PAGE_SIZE"]


def _load(referral_id: int) -> Referral:
    """The referral, or 404 — also for one the user may not see, so that guessing ids reveals nothing."""
    referral = db.get_or_404(Referral, referral_id)
    if not permissions.can_view(current_user, referral):
        abort(404)
    return referral


# --- lists ----------------------------------------------------------------------------------------

@bp.get("/")
def inbox():
    page = queries.inbox(current_user, after=request.args.get("after"), limit=_size())
    return render_template("referrals/list.html", page=page, title=_("待办事项"), due=queries.DueThresholds.on(),
                           empty=_("目前没有等待您办理的事项。"))


@bp.get("/sent")
def sent():
    page = queries.sent(current_user, after=request.args.get("after"), limit=_size())
    return render_template("referrals/list.html", page=page, title=_("本方发出"), due=queries.DueThresholds.on(),
                           empty=_("本方还没有发出事项。"))


def _search_form() -> SearchForm:
    form = SearchForm(request.args)
    form.set_choices()
    if request.args:
        form.validate()
    return form


@bp.get("/search")
def search():
    form = _search_form()
    page = queries.search(current_user, form.filters(), after=request.args.get("after"), limit=_size())
    return render_template("referrals/search.html", form=form, page=page, due=queries.DueThresholds.on(),
                           export_url=url_for(".export", **{k: v for k, v in request.args.items() if k != "after"}),
                           satisfaction_url=url_for(".satisfaction",
                                                    **{k: v for k, v in request.args.items() if k != "after"}),
                           export_max=EXPORT_MAX_ROWS)


@bp.get("/satisfaction")
def satisfaction():
    """The satisfaction figures of the search's filters: 未反馈 shown apart, never in the rate."""
    form = _search_form()
    args = {k: v for k, v in request.args.items() if k != "after"}
    return render_template("referrals/satisfaction.html", form=form,
                           figures=queries.satisfaction(current_user, form.filters()),
                           search_url=url_for(".search", **args))


@bp.get("/export.xlsx")
@writes_on_get  # every export is audited
def export():
    filters = _search_form().filters()
    if queries.beyond(current_user, filters, EXPORT_MAX_ROWS):
        flash(_("符合条件的事项超过 %(n)d 条，超出一次导出的上限。请缩小筛选范围（如按年度、类型或单位）后再导出。",
                n=EXPORT_MAX_ROWS), "error")
        return redirect(url_for(".search", **request.args))
    data, count = _workbook(queries.for_export(current_user, filters), queries.DueThresholds.on())
    services.record_export(actor=current_user, what="xlsx", rows=count,
                           filters={k: v for k, v in request.args.items() if k != "after"})
    commit()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=_("移送事项-%(d)s.xlsx", d=today().isoformat()))


def _export_columns():
    def at(name):
        return lambda r: _local(getattr(r, name))

    def on(name):
        return lambda r: getattr(r, name)

    return [
        (_("编号"), lambda r: r.serial or ""), (_("标题"), lambda r: r.title), (_("类型"), lambda r: r.type.name),
        (_("方向"), lambda r: labels.direction(r.direction)), (_("发出单位"), lambda r: r.sender_org.name),
        (_("接收单位"), lambda r: r.receiver_org.name), (_("状态"), lambda r: labels.state(r.state)),
        (_("办理结果"), lambda r: labels.outcome(r.outcome)), (_("评价"), lambda r: labels.evaluation(r.evaluation)),
        (_("办理轮次"), lambda r: r.round), (_("催办次数"), lambda r: r.urge_count),
        (_("发出时间"), at("sent_at")), (_("签收时间"), at("acknowledged_at")), (_("受理时间"), at("accepted_at")),
        (_("交办时间"), at("assigned_at")), (_("答复时间"), at("replied_at")), (_("评价时间"), at("evaluated_at")),
        (_("办结时间"), at("closed_at")),
        (_("签收期限"), on("ack_due")), (_("程序性答复期限"), on("procedural_due")), (_("办理期限"), on("result_due")),
        (_("最长办理期限"), on("cap_due")), (_("评价期限"), on("evaluation_due")), (_("当前期限"), on("current_due")),
    ]


def _local(moment):
    """openpyxl cannot store a time zone: the Asia/Shanghai wall-clock time, as the header says."""
    if moment is None:
        return None
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


def _workbook(rows, due: queries.DueThresholds) -> tuple[bytes, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("移送事项"))
    columns = _export_columns()
    sheet.append([title for title, _get in columns] + [_("期限状态")])
    count = 0
    for referral in rows:
        sheet.append([get(referral) for _title, get in columns] + [labels.due_status(due.status(referral.current_due))])
        count += 1
    note = book.create_sheet(_("说明"))
    note.append([_("时间均为北京时间（Asia/Shanghai）；期限为当日 24:00 届满。导出于 %(t)s。",
                   t=local_time(utcnow(), "%Y-%m-%d %H:%M"))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


# --- writing a referral ---------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
def create():
    try:
        direction = Direction(request.args.get("direction", ""))
    except ValueError:
        abort(404)
    if not permissions.can_create(current_user, direction):
        abort(403)
    form = ReferralForm()
    form.set_choices(current_user, direction)
    deputy_field = direction is Direction.NPC_TO_PROCURATORATE and current_user.has_role(*permissions.STAFF_ROLES)
    if not deputy_field:
        del form.deputy
    if direction is Direction.NPC_TO_PROCURATORATE:
        del form.session_date
    can_send = permissions.can_send_new(current_user, direction)
    if not can_send:
        del form.send_now
    if request.method == "GET":
        form.client_token.data = uuid.uuid4().hex
        counterpart = pairing_of(institution_of(current_user.organisation))
        form.receiver.data = counterpart.id if counterpart else 0
    if form.validate_on_submit():
        try:
            referral = services.create_referral(
                actor=current_user, rtype=db.session.get(ReferralType, form.type.data),
                receiver=db.session.get(Organisation, form.receiver.data), title=form.title.data, body=form.body.data,
                deputy=db.session.get(User, form.deputy.data) if deputy_field and form.deputy.data else None,
                classification=Classification(form.classification.data) if form.classification.data else None,
                client_token=form.client_token.data or None,
                session_date=form.session_date.data if "session_date" in form else None)
            if can_send and form.send_now.data and referral.state is State.DRAFT:
                services.send(referral, actor=current_user)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("事项“%(t)s”已保存为草稿。", t=referral.title) if referral.state is State.DRAFT
                  else _("事项“%(t)s”已发出，编号 %(s)s。", t=referral.title, s=referral.serial), "success")
            return redirect(url_for(".detail", referral_id=referral.id))
    heading = (_("新建移送事项（人大 → 检察院）") if direction is Direction.NPC_TO_PROCURATORATE
               else _("新建报送事项（检察院 → 人大）"))
    return render_template("referrals/new.html", form=form, direction=direction, heading=heading), \
        422 if request.method == "POST" else 200


# --- one referral -----------------------------------------------------------------------------------

@bp.get("/<int:referral_id>")
def detail(referral_id: int):
    return _detail_page(_load(referral_id))


def _detail_page(referral: Referral, *, failed=None, message_form=None, status: int = 200):
    """The detail page; `failed` = (action, bound form) re-shown with its errors."""
    forms = {a: action_form(a, referral) for a in permissions.allowed_actions(current_user, referral)
             if a in ACTION_FORMS}
    if failed:
        forms[failed[0]] = failed[1]
    lead_times = (report_services.lead_times(referral.session_date)
                  if referral.session_date and referral.type.code == "special_work_report" else [])
    return render_template(
        "referrals/detail.html", r=referral, forms=forms, failed=failed[0] if failed else None,
        events=queries.timeline(referral), messages=queries.messages_for(referral, current_user),
        message_form=message_form or MessageForm(formdata=None),
        can_post=current_user.side.value in ("npc", "procuratorate"), deadline_rows=_deadline_rows(referral),
        parent=referral.parent if referral.parent and permissions.can_view(current_user, referral.parent) else None,
        children=[c for c in report_services.children(referral) if permissions.can_view(current_user, c)],
        lead_times=lead_times,
        attachments=attachment_queries.for_owner(current_user, Referral.__tablename__, referral.id),
        upload_url=(url_for("attachments.upload", referral_id=referral.id)
                    if attachment_permissions.can_upload(current_user, referral) else None),
        npc_log=permissions.can_export_npc_log(current_user, referral),
        sender_party=labels.party_name(referral.direction, Party.SENDER),
        receiver_party=labels.party_name(referral.direction, Party.RECEIVER)), status


def _done_at(referral: Referral, kind: DueKind):
    """When the step a due date is for was done (None while it is still open)."""
    if kind is DueKind.EVALUATION:  # a reply in a later round asks for a new evaluation
        done = referral.evaluated_at
        return done if done and (referral.replied_at is None or done >= referral.replied_at) else None
    return getattr(referral, {DueKind.ACK: "acknowledged_at", DueKind.PROCEDURAL: "accepted_at",
                              DueKind.RESULT: "replied_at", DueKind.CAP: "replied_at"}[kind])


def _deadline_rows(referral: Referral) -> list[dict]:
    """Each due date with its badge: the step's status while it is open, or whether it was met."""
    running = referral.state in OPEN_STATES and referral.state is not State.DRAFT
    current = deadlines.current_due_of(_Marked(referral.state, referral)) if running else None
    rows = []
    for kind in DueKind:
        due = getattr(referral, f"{kind.value}_due")
        if due is None:
            continue
        done_at = _done_at(referral, kind)
        done = None if done_at is None else ("on_time" if local_date(done_at) <= due else "late")
        rows.append({"kind": kind, "due": due, "done": done, "current": kind is current,
                     "status": deadlines.status(due) if running and done is None else None,
                     "provisional": deadlines.is_provisional(due)})
    return rows


@bp.get("/<int:referral_id>/deadline/<kind>")
def deadline(referral_id: int, kind: str):
    referral = _load(referral_id)
    try:
        kind = DueKind(kind)
    except ValueError:
        abort(404)
    explanation = deadlines.explain(referral, kind, queries.timeline(referral))
    row = next((row for row in _deadline_rows(referral) if row["kind"] is kind), None)
    return render_template("referrals/deadline.html", r=referral, x=explanation, row=row)


@bp.post("/<int:referral_id>/<action_name>")
def act(referral_id: int, action_name: str):
    referral = _load(referral_id)
    try:
        action = Action(action_name)
    except ValueError:
        abort(404)
    if action not in ACTION_FORMS:
        abort(404)
    # Stale page, wrong state or wrong person: the global handler answers 409/403 with the reason.
    services.check(referral, action, current_user,
                   expected_version=request.form.get(f"{action.value}-version", type=int))
    formdata = CombinedMultiDict((request.files, request.form)) if request.files else request.form
    form = action_form(action, referral, formdata=formdata)
    if form.validate():
        try:
            _PERFORM[action](referral, form)
        except ValidationFailed as exc:
            db.session.rollback()  # a service may have changed fields before it found the problem
            apply_errors(form, exc)
        else:
            commit()
            flash(_("“%(a)s”已完成。事项状态：%(s)s。", a=labels.action(action), s=labels.state(referral.state)),
                  "success")
            return redirect(url_for(".detail", referral_id=referral.id))
    return _detail_page(referral, failed=(action, form), status=422)


def _org(org_id):
    return db.session.get(Organisation, org_id) if org_id else None


def _user(user_id):
    return db.session.get(User, user_id) if user_id else None


def _files(field) -> list[tuple[str, object]]:
    """The files chosen in a file field as (name, stream); a browser sends an empty part for none."""
    return [(f.filename, f.stream) for f in (field.data or []) if getattr(f, "filename", None)]


def _type(type_id):
    return db.session.get(ReferralType, type_id) if type_id else None


# Each action's ONE service call, with the form's values passed by name.
_PERFORM = {
    Action.SEND: lambda r, f: services.send(r, actor=current_user, expected_version=f.version.data),
    Action.SUBMIT: lambda r, f: services.send(r, actor=current_user, expected_version=f.version.data),
    Action.WITHDRAW: lambda r, f: services.withdraw(r, actor=current_user, reason=f.reason.data,
                                                    expected_version=f.version.data),
    Action.ACKNOWLEDGE: lambda r, f: services.acknowledge(r, actor=current_user, expected_version=f.version.data),
    Action.RETURN: lambda r, f: services.return_referral(
        r, actor=current_user, reason=f.reason.data, suggested_receiver=_org(f.suggested_receiver.data),
        expected_version=f.version.data),
    Action.RESEND: lambda r, f: services.resend(r, actor=current_user, receiver=_org(f.receiver.data),
                                                expected_version=f.version.data),
    Action.ACCEPT: lambda r, f: services.accept(r, actor=current_user, procedural_reply=f.procedural_reply.data,
                                                expected_version=f.version.data),
    Action.ASSIGN: lambda r, f: services.assign(r, actor=current_user, department=_org(f.department.data),
                                                handler=_user(f.handler.data), expected_version=f.version.data),
    Action.REQUEST_EXTENSION: lambda r, f: services.request_extension(
        r, actor=current_user, until=f.until.data, reason=f.reason.data, expected_version=f.version.data),
    Action.DECIDE_EXTENSION: lambda r, f: services.decide_extension(
        r, actor=current_user, approve=f.approve.data == "1", note=f.note.data, expected_version=f.version.data),
    Action.REPLY: lambda r, f: services.reply(r, actor=current_user, outcome=Outcome(f.outcome.data),
                                              text=f.text.data, files=_files(f.attachments),
                                              expected_version=f.version.data),
    Action.EVALUATE: lambda r, f: services.evaluate(r, actor=current_user, evaluation=Evaluation(f.evaluation.data),
                                                    reasons=f.reasons.data, expected_version=f.version.data),
    Action.URGE: lambda r, f: services.urge(r, actor=current_user, note=f.note.data, expected_version=f.version.data),
    Action.ARCHIVE: lambda r, f: services.archive(r, actor=current_user, expected_version=f.version.data),
    Action.CONVERT: lambda r, f: services.convert_to_letter(
        r, actor=current_user, letter_type=_type(f.letter_type.data), reason=f.reason.data,
        expected_version=f.version.data),
    Action.CONSULT: lambda r, f: services.record_consultation(
        r, actor=current_user, held_on=f.held_on.data, note=f.note.data, expected_version=f.version.data),
    Action.RECEIVE: lambda r, f: report_services.receive(r, actor=current_user, expected_version=f.version.data),
    Action.SCHEDULE: lambda r, f: report_services.schedule(r, actor=current_user, session_date=f.session_date.data,
                                                           expected_version=f.version.data),
    Action.RECORD: lambda r, f: report_services.record(r, actor=current_user, note=f.note.data,
                                                       expected_version=f.version.data),
    Action.ISSUE_OPINIONS: lambda r, f: report_services.issue_opinions(
        r, actor=current_user, opinions_type=_type(f.opinions_type.data), title=f.title.data, text=f.text.data,
        expected_version=f.version.data),
    Action.VOTE: lambda r, f: report_services.vote(r, actor=current_user, votes_for=f.votes_for.data,
                                                   against=f.against.data, abstain=f.abstain.data,
                                                   expected_version=f.version.data),
}


@bp.post("/<int:referral_id>/messages")
def post_message(referral_id: int):
    referral = _load(referral_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            services.post_message(referral, actor=current_user, body=form.body.data, internal=form.internal.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("内部备注已保存。") if form.internal.data else _("留言已发送。"), "success")
            return redirect(url_for(".detail", referral_id=referral.id, _anchor="thread"))
    return _detail_page(referral, message_form=form, status=422)


@bp.get("/<int:referral_id>/npc-log.csv")
@writes_on_get  # every export is audited
def npc_log(referral_id: int):
    referral = _load(referral_id)
    if not permissions.can_export_npc_log(current_user, referral):
        abort(403)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("时间（北京时间）"), _("人员"), _("单位"), _("事项"), _("内容")])
    entries = queries.npc_log(referral)
    for at, person, org, what, text in entries:
        writer.writerow([local_time(at, "%Y-%m-%d %H:%M:%S")] + [_cell(v) for v in (person, org, what, text)])
    services.record_export(actor=current_user, what="npc_log", rows=len(entries), referral=referral)
    commit()
    data = ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True,
                     download_name=_("%(s)s-人大方往来记录.csv", s=referral.serial or referral.id))


def _cell(value: str) -> str:
    """Text a spreadsheet must not run as a formula."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- how it works -------------------------------------------------------------------------------------

@bp.get("/help")
def help_page():
    return render_template("referrals/help.html", workflows=[(d, _workflow_rows(d)) for d in Direction],
                           types=queries.types_for(active_only=False))


class _Marked:
    """A stand-in referral whose due dates are their own kinds (those `like` has, or all): then
    `current_due_of` says which deadline runs in a state, from the same code the services use."""

    def __init__(self, state: State, like: Referral | None = None):
        self.state = state
        for kind in DueKind:
            present = like is None or getattr(like, f"{kind.value}_due") is not None
            setattr(self, f"{kind.value}_due", kind if present else None)


def _workflow_rows(direction: Direction) -> list[dict]:
    order = {s: i for i, s in enumerate(State)}
    rows = []
    actions = {a: i for i, a in enumerate(Action)}
    for (state, action), rule in sorted(TABLES[direction].items(), key=lambda kv: (order[kv[0][0]], actions[kv[0][1]])):
        rows.append({"state": state, "action": action, "rule": rule,
                     "party": labels.party_name(direction, rule.party),
                     "roles": [Role(r).label for r in sorted(rule.roles)],
                     "deadline": deadlines.current_due_of(_Marked(state))})
    return rows
