"""The rectification item page: facts, progress (reported and accepted apart), reports, timeline, and
one small form per allowed step — progress, sign-off request, sign-off or return, urging, extension."""
from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.attachments import services as attachment_services
from oversight.attachments.forms import UploadForm
from oversight.audit import services as audit
from oversight.db import commit, db, writes_on_get
from oversight.errors import ValidationFailed
from oversight.referrals.deadlines import DueStatus
from oversight.referrals.queries import DueThresholds
from oversight.web.forms import apply_errors
from oversight.workdays import today

from . import labels, permissions, queries
from .documents import XLSX
from .forms import ITEM_FORMS, ImportForm, ItemFilterForm, action_form
from .models import ProgressReport, RectificationItem
from .services import items as item_services, sheets
from .workflow import ItemAction, ItemState

bp = Blueprint("rectification", __name__, url_prefix="/topics/items")


def load(item_id: int) -> RectificationItem:
    item = db.get_or_404(RectificationItem, item_id)
    if not permissions.can_view_item(current_user, item):
        abort(404)
    return item


def item_page(item: RectificationItem, *, failed: tuple | None = None, status: int = 200):
    forms = {a: action_form(ITEM_FORMS, a, item) for a in permissions.allowed_item_actions(current_user, item)}
    if failed:
        forms[failed[0]] = failed[1]
    reports = queries.reports_of(item)
    return render_template(
        "topics/item.html", i=item, t=item.topic, forms=forms, failed=failed[0] if failed else None,
        reports=reports, evidence=queries.evidence_of(current_user, reports),
        may_attach=bool(reports) and permissions.can_attach_evidence(current_user, reports[-1]),
        upload_form=UploadForm(), events=queries.item_timeline(item),
        issued=queries.issued_values([item])[item.id], owner=permissions.is_owner_side(current_user, item.topic),
        due=queries.due_status(item, DueThresholds.on()), on_behalf=permissions.on_behalf(item.unit)), status


@bp.get("/<int:item_id>")
def detail(item_id: int):
    return item_page(load(item_id))


def _item_filters():
    form = ItemFilterForm(request.args)
    form.set_choices(_unit_choices())
    if request.args and not form.validate():
        return form, queries.ItemFilters()
    state = form.state.data or ""
    return form, queries.ItemFilters(
        state=ItemState(state) if state not in ("", "all") else None, open_only=state == "",
        unit_id=form.unit.data or None, topic_id=request.args.get("topic", type=int),
        due=DueStatus(form.due.data) if form.due.data else None)


def _unit_choices():
    """The units the user may pick: for a unit's contacts their own units; the owner side every unit."""
    from oversight.orgs.queries import visible_organisations

    units = queries.unit_choices()
    if current_user.has_role(*permissions.NPC_ROLES):
        return units
    visible = set(db.session.scalars(visible_organisations(current_user)))
    return [u for u in units if u.id in visible]


@bp.get("/")
def index():
    """整改事项: the items the user's units answer for (the owner side: all its topics' items), earliest
    due first, with the due date and measures as issued beside the working values."""
    if not permissions.can_use_topics(current_user):
        abort(403)
    form, filters = _item_filters()
    page = queries.unit_items(current_user, filters, after=request.args.get("after"),
                              limit=current_app.config["PAGE_SIZE"])
    owner = {}
    for i in page.rows:
        owner.setdefault(i.topic_id, permissions.is_owner_side(current_user, i.topic))
    return render_template("topics/items.html", form=form, page=page, issued=queries.issued_values(page.rows),
                           owner=owner,
                           thresholds=DueThresholds.on(), filtered=bool(request.args.get("state") or
                                                                         request.args.get("due") or
                                                                         request.args.get("unit")))


@bp.post("/<int:item_id>/reports/<int:report_id>/attachments")
def attach_evidence(item_id: int, report_id: int):
    """佐证材料: a file for one of the item's progress reports, from the responsible unit."""
    item = load(item_id)
    report = db.session.get(ProgressReport, report_id)
    if report is None or report.item_id != item.id:
        abort(404)
    if not permissions.can_attach_evidence(current_user, report):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".detail", item_id=item.id) + "#reports-heading")
    try:
        # Evidence is for both sides: never internal, whatever the form says.
        attachment = attachment_services.store(report, actor=current_user, upload_name=form.file.data.filename,
                                               stream=form.file.data.stream, internal=False)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_("佐证材料“%(name)s”已上传。", name=attachment.filename), "success")
    return redirect(url_for(".detail", item_id=item.id) + "#reports-heading")


PERFORM = {
    ItemAction.START: lambda i, f: item_services.start(i, actor=current_user),
    ItemAction.REPORT_PROGRESS: lambda i, f: item_services.report_progress(
        i, actor=current_user, percent=f.percent.data, text_=f.text.data, evidence=f.evidence.data,
        lower_reason=f.lower_reason.data),
    ItemAction.REQUEST_SIGNOFF: lambda i, f: item_services.request_signoff(i, actor=current_user, note=f.note.data),
    ItemAction.SIGN_OFF: lambda i, f: item_services.sign_off(i, actor=current_user, note=f.note.data),
    ItemAction.RETURN: lambda i, f: item_services.return_item(i, actor=current_user, reason=f.reason.data),
    ItemAction.ACCEPT_PROGRESS: lambda i, f: item_services.accept_progress(i, actor=current_user,
                                                                           percent=f.percent.data, note=f.note.data),
    ItemAction.URGE: lambda i, f: item_services.urge(i, actor=current_user, note=f.note.data),
    ItemAction.REQUEST_EXTENSION: lambda i, f: item_services.request_extension(
        i, actor=current_user, until=f.until.data, reason=f.reason.data),
    ItemAction.DECIDE_EXTENSION: lambda i, f: item_services.decide_extension(
        i, actor=current_user, approve=f.approve.data == "yes", note=f.note.data),
    ItemAction.REOPEN: lambda i, f: item_services.reopen(i, actor=current_user, reason=f.reason.data),
}


@bp.post("/<int:item_id>/act/<action_name>")
def act(item_id: int, action_name: str):
    item = load(item_id)
    try:
        action = ItemAction(action_name)
    except ValueError:
        abort(404)
    # Stale page, wrong state or wrong person: the global handler answers 409/403 with the reason.
    item_services.check(item, action, current_user,
                        expected_version=request.form.get(f"{action.value}-version", type=int))
    form = action_form(ITEM_FORMS, action, item, formdata=request.form)
    if form.validate():
        try:
            PERFORM[action](item, form)
        except ValidationFailed as exc:
            db.session.rollback()  # nothing half-saved
            apply_errors(form, exc)
        else:
            commit()
            flash(_("“%(a)s”已完成。整改事项状态：%(s)s。", a=labels.item_action(action),
                    s=labels.item_state(item.state)), "success")
            return redirect(url_for(".detail", item_id=item.id))
    return item_page(item, failed=(action, form), status=422)


# --- the spreadsheet round trip -------------------------------------------------------------------

@bp.get("/progress.xlsx")
@writes_on_get  # every export is audited
def export_progress():
    if not permissions.can_use_topics(current_user):
        abort(403)
    data = sheets.export_items(current_user)
    audit.record("rectification.progress_sheet.downloaded", actor=current_user, summary={"format": "xlsx"})
    commit()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=_("整改进展-%(d)s.xlsx", d=today().isoformat()))


@bp.route("/import", methods=["GET", "POST"])
def import_progress():
    if not permissions.can_use_topics(current_user):
        abort(403)
    form, refused = ImportForm(), []
    if form.validate_on_submit():
        try:
            result = sheets.import_progress(form.file.data.stream, actor=current_user)
        except sheets.ImportFailed as exc:
            db.session.rollback()  # all rows or none
            flash(exc.message, "error")
            refused = exc.rows
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            commit()
            flash(_("已导入 %(n)d 条进展报告（%(s)d 行未填写，已跳过）。", n=result.applied, s=result.skipped), "success")
            return redirect(url_for(".import_progress"))
    status = 422 if (refused or form.errors) else 200
    return render_template("topics/import.html", form=form, refused=refused), status
