from __future__ import annotations

import calendar as _cal
import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import can_manage_calendar
from ..db import commit, db
from ..errors import ValidationFailed
from ..web.forms import apply_errors
from . import DeadlineRule, PeriodUnit, current_calendar, queries, services, today
from .forms import ComputeForm, DayForm, NoticeForm
from .models import CalendarNotice

bp = Blueprint("workdays", __name__, url_prefix="/calendar")


@bp.get("/")
def index():
    year = request.args.get("year", today().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    cal = current_calendar()
    months = []
    for month in range(1, 13):
        weeks = _cal.Calendar(firstweekday=0).monthdatescalendar(year, month)
        months.append((month, [[cal.day(d) if d.month == month else None for d in week] for week in weeks]))
    compute = ComputeForm(request.args, meta={"csrf": False})
    result = None
    if "start" in request.args and compute.validate():
        result = cal.compute(compute.start.data, DeadlineRule(compute.amount.data, PeriodUnit(compute.unit.data)))
    manage = can_manage_calendar(current_user)
    return render_template(
        "workdays/index.html", year=year, months=months, provisional=cal.is_provisional(dt.date(year, 6, 1)),
        notice=db.session.get(CalendarNotice, year), overrides=queries.days_of_year(year),
        compute=compute, result=result, can_manage=manage,
        day_form=DayForm() if manage else None,
        notice_form=NoticeForm(year=year) if manage else None)


@bp.post("/days")
def set_day():
    form = DayForm()
    if form.validate_on_submit():
        try:
            services.set_day(actor=current_user, day=form.day.data, working=form.working.data == "1",
                             name=form.name.data or "", note=form.note.data or "")
        except ValidationFailed as exc:
            flash(exc.message, "error")
        else:
            commit()
            flash(_("%(d)s 的安排已保存。", d=form.day.data.isoformat()), "success")
        return redirect(url_for(".index", year=form.day.data.year))
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return redirect(url_for(".index"))


@bp.post("/days/<day>/delete")
def clear_day(day: str):
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    try:
        services.clear_day(actor=current_user, day=parsed)
    except ValidationFailed as exc:
        flash(exc.message, "error")
    else:
        commit()
        flash(_("%(d)s 的调整已删除。", d=day), "success")
    return redirect(url_for(".index", year=parsed.year))


@bp.route("/notice", methods=["GET", "POST"])
def notice():
    if not can_manage_calendar(current_user):
        abort(403)
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            services.enter_notice(actor=current_user, year=form.year.data, title=form.title.data,
                                  published_on=form.published_on.data, lines=form.lines.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            flash(_("%(y)d 年节假日安排已录入，该年期限今后按通知计算。", y=form.year.data), "success")
            return redirect(url_for(".index", year=form.year.data))
    return render_template("workdays/notice.html", form=form)
