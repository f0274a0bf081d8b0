"""The staff pages of the clue port: the scoped list with filters and its export, one clue with the
similar-clue hint, the sender's contact details (敏感, shown on request and audited) and the three
triage actions."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..db import commit, db, utcnow, writes_on_get
from ..errors import DomainError
from ..exports import safe_cell
from ..lockdown import export_endpoint
from ..referrals.models import ReferralType
from ..web.templating import local_time
from ..workdays import today
from . import categories, labels, permissions, queries, services
from .forms import ConvertForm, DeclineForm, FilterForm, MergeForm
from .models import Clue

bp = Blueprint("clues", __name__, url_prefix="/clues")
bp.add_app_template_global(labels, "clue_labels")
bp.add_app_template_global(categories.label, "clue_category")

EXPORT_MAX_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def _staff_only():
    if current_user.is_authenticated and not permissions.can_use_clues(current_user):
        abort(403)


def _load(clue_id: int) -> Clue:
    """The clue, or 404 — also one outside the user's scope, so that guessing ids reveals nothing."""
    clue = db.get_or_404(Clue, clue_id)
    if not permissions.can_view(current_user, clue):
        abort(404)
    return clue


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    form.set_choices(current_user)
    if request.args:
        form.validate()
    return form


@bp.get("/")
def index():
    form = _filter_form()
    page = queries.search(current_user, form.filters(), after=request.args.get("after"),
                          limit=current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "after"}
    return render_template("clues/list.html", form=form, page=page, export_url=url_for(".export", **args),
                           export_max=EXPORT_MAX_ROWS)


@bp.get("/export.xlsx")
@export_endpoint  # offline while the emergency lock is on
@writes_on_get  # every export is audited
def export():
    filters = _filter_form().filters()
    if queries.beyond(current_user, filters, EXPORT_MAX_ROWS):
        flash(_("符合条件的线索超过 %(n)d 条，超出一次导出的上限。请缩小筛选范围后再导出。", n=EXPORT_MAX_ROWS), "error")
        return redirect(url_for(".index", **request.args))
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("线索"))
    columns = [(_("线索编号"), lambda c: c.tracking_code), (_("标题"), lambda c: c.title),
               (_("类别"), lambda c: categories.label(c.category)), (_("来源"), lambda c: labels.source(c.source)),
               (_("联络站"), lambda c: c.station.name if c.station else ""), (_("发生地点"), lambda c: c.place),
               (_("受理机关"), lambda c: c.receiving_org.name), (_("状态"), lambda c: labels.state(c.state)),
               (_("收到时间"), lambda c: local_time(c.created_at)),
               (_("处理时间"), lambda c: local_time(c.decided_at) if c.decided_at else ""),
               (_("不予采用理由"), lambda c: c.decline_reason or "")]
    # Contact details (敏感) are never exported.
    sheet.append([title for title, _get in columns])
    rows = 0
    for clue in queries.for_export(current_user, filters):
        sheet.append([safe_cell(get(clue)) for _title, get in columns])
        rows += 1
    note = book.create_sheet(_("说明"))
    note.append([_("时间均为北京时间。线索提供人的联系方式属敏感信息，不导出。导出于 %(t)s。",
                   t=local_time(utcnow(), "%Y-%m-%d %H:%M"))])
    out = io.BytesIO()
    book.save(out)
    services.record_export(actor=current_user, rows=rows,
                           filters={k: v for k, v in request.args.items() if k != "after"})
    commit()
    return send_file(io.BytesIO(out.getvalue()), mimetype=XLSX, as_attachment=True,
                     download_name=_("线索-%(d)s.xlsx", d=today().isoformat()))


def _detail(clue: Clue, *, contact_shown: bool = False, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    convert_form = forms.get("convert") or ConvertForm(formdata=None, version=clue.version)
    types = services.convertible_types()
    convert_form.type.choices = [(t.id, t.name) for t in types]
    default = services.default_type()
    if convert_form.type.data is None and default is not None:
        convert_form.type.data = default.id
    merge_form = forms.get("merge") or MergeForm(formdata=None, version=clue.version)
    decline_form = forms.get("decline") or DeclineForm(formdata=None, version=clue.version)
    actions = permissions.allowed_actions(current_user, clue)
    similar = services.similar(clue) if actions or clue.state.value == "received" else []
    duplicates = list(db.session.scalars(sa.select(Clue).where(Clue.duplicate_of_id == clue.id).order_by(Clue.id)))
    return render_template(
        "clues/detail.html", clue=clue, attachments=services.attachments_of(clue), actions=[a.value for a in actions],
        similar=similar, duplicates=duplicates, convert_form=convert_form, merge_form=merge_form,
        decline_form=decline_form, contact_shown=contact_shown,
        can_see_contact=permissions.can_see_contact(current_user, clue),
        referral=clue.referral_id), status


@bp.get("/<int:clue_id>")
def detail(clue_id: int):
    return _detail(_load(clue_id))


@bp.post("/<int:clue_id>/contact")
def contact(clue_id: int):
    clue = _load(clue_id)
    if not permissions.can_see_contact(current_user, clue):
        abort(403)
    services.record_contact_view(clue, actor=current_user)
    commit()
    response = _detail(clue, contact_shown=True)
    return response


def _version(form) -> int | None:
    return form.version.data if form.version.data else None


def _act(clue: Clue, name: str, form, run):
    try:
        if "csrf_token" in form.errors:
            raise DomainError(_("页面已过期，请刷新后重试。"))
        run()
        commit()
    except DomainError as exc:
        db.session.rollback()
        clue = db.session.get(Clue, clue.id)
        flash(exc.message, "error")
        return _detail(clue, forms={name: form}, status=exc.status)
    return None


@bp.post("/<int:clue_id>/convert")
def convert(clue_id: int):
    clue = _load(clue_id)
    form = ConvertForm()
    form.validate_on_submit()
    holder = {}

    def run():
        rtype = db.session.get(ReferralType, form.type.data) if form.type.data else None
        holder["referral"] = services.convert(clue, actor=current_user, rtype=rtype,
                                              expected_version=_version(form))
    failed = _act(clue, "convert", form, run)
    if failed:
        return failed
    flash(_("线索已转为移送事项草稿，请补充完善后发出。"), "success")
    return redirect(url_for("referrals.detail", referral_id=holder["referral"].id))


@bp.post("/<int:clue_id>/merge")
def merge(clue_id: int):
    clue = _load(clue_id)
    form = MergeForm()
    form.validate_on_submit()

    def run():
        into = queries.by_code(form.into.data or "")
        if into is not None and not permissions.can_view(current_user, into):
            into = None
        services.merge(clue, actor=current_user, into=into, expected_version=_version(form))
    failed = _act(clue, "merge", form, run)
    if failed:
        return failed
    flash(_("线索已合并。"), "success")
    return redirect(url_for(".detail", clue_id=clue.id))


@bp.post("/<int:clue_id>/decline")
def decline(clue_id: int):
    clue = _load(clue_id)
    form = DeclineForm()
    form.validate_on_submit()

    def run():
        services.decline(clue, actor=current_user, reason=form.reason.data or "", expected_version=_version(form))
    failed = _act(clue, "decline", form, run)
    if failed:
        return failed
    flash(_("已决定不予采用，理由将向线索提供人显示。"), "success")
    return redirect(url_for(".detail", clue_id=clue.id))
