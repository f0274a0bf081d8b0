"""The lists: the inbox, what was sent, the scoped search, its satisfaction figures and its XLSX export."""
from __future__ import annotations

import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...db import commit, utcnow, writes_on_get
from ...exports import safe_cell
from ...web.templating import local_time
from ...workdays import today
from .. import labels, queries, services
from ..forms import SearchForm
from . import _size, bp


EXPORT_MAX_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        sheet.append([safe_cell(get(referral)) for _title, get in columns]
                     + [labels.due_status(due.status(referral.current_due))])
        count += 1
    note = book.create_sheet(_("说明"))
    note.append([_("时间均为北京时间（Asia/Shanghai）；期限为当日 24:00 届满。导出于 %(t)s。",
                   t=local_time(utcnow(), "%Y-%m-%d %H:%M"))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
