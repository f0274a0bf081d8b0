"""One referral: the detail page with one small form per allowed action, the attachments and the
thread, why a due date is what it is, and the NPC-side log the procuratorate exports."""
from __future__ import annotations

import csv
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from ...accounts.models import User
from ...attachments import permissions as attachment_permissions, queries as attachment_queries
from ...db import commit, db, writes_on_get
from ...errors import ValidationFailed
from ...exports import safe_cell
from ...orgs.models import Organisation
from ...web.forms import apply_errors
from ...web.templating import local_time
from .. import deadlines, labels, permissions, queries, report_services, services
from ..deadlines import DueKind, local_date
from ..forms import ACTION_FORMS, MessageForm, action_form
from ..models import Referral, ReferralType
from ..workflow import OPEN_STATES, Action, Evaluation, Outcome, Party, State
from . import _load, bp
from .help import _Marked


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
        writer.writerow([local_time(at, "%Y-%m-%d %H:%M:%S")] + [safe_cell(v or "") for v in (person, org, what, text)])
    services.record_export(actor=current_user, what="npc_log", rows=len(entries), referral=referral)
    commit()
    data = ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True,
                     download_name=_("%(s)s-人大方往来记录.csv", s=referral.serial or referral.id))

