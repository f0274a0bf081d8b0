"""Administering models: the list with each model's precision and last run, tuning, switching on and off,
running one now, and exporting / importing model packages."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..db import commit, db
from ..errors import ValidationFailed
from ..lockdown import export_endpoint
from ..web.forms import apply_errors
from . import permissions, queries, registry, runs, services, sharing
from .forms import ImportForm, ModelForm, RunForm
from .models import SupervisionModel

bp = Blueprint("supervision_models", __name__, url_prefix="/admin/models")


@bp.before_request
def require_admin():
    if not permissions.can_manage_models(current_user):
        abort(403)


@bp.get("/")
def index():
    services.ensure_builtins(actor=current_user)
    commit()
    return render_template("supervision/models.html", models=queries.models(), precision=queries.precision_by_model(current_user),
                           last_runs=queries.last_runs(), runs=queries.recent_runs(limit=20),
                           run_form=RunForm(formdata=None), import_form=ImportForm(formdata=None))


@bp.route("/<int:model_id>", methods=["GET", "POST"])
def edit(model_id: int):
    model = db.get_or_404(SupervisionModel, model_id)
    fn = registry.get(model.function)
    form = ModelForm(obj=model)
    values = {p.name: request.form.get(f"param_{p.name}", "") for p in fn.params} if fn and request.method == "POST" \
        else dict(model.params or {})
    param_errors = {}
    if form.validate_on_submit():
        try:
            services.update_model(model, actor=current_user, name=form.name.data, purpose=form.purpose.data,
                                  legal_basis=form.legal_basis.data, params=values, cron=form.cron.data,
                                  expected_version=int(form.version.data or 0) or None)
        except ValidationFailed as exc:
            db.session.rollback()
            param_errors = {k: v for k, v in exc.errors.items() if fn and fn.param(k)}
            apply_errors(form, ValidationFailed({k: v for k, v in exc.errors.items() if k not in param_errors})
                         if len(param_errors) < len(exc.errors) else ValidationFailed({}))
        else:
            commit()
            flash(_("模型“%(n)s”已保存。", n=model.name), "success")
            return redirect(url_for(".index"))
    if request.method == "GET":
        form.version.data = model.version
    status = 422 if request.method == "POST" else 200
    return render_template("supervision/model_form.html", form=form, model=model, fn=fn, values=values,
                           param_errors=param_errors), status


@bp.post("/<int:model_id>/enabled")
def toggle(model_id: int):
    model = db.get_or_404(SupervisionModel, model_id)
    enable = request.form.get("enabled") == "1"
    try:
        services.set_enabled(model, actor=current_user, enabled=enable,
                             expected_version=int(request.form.get("version") or 0) or None)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        commit()
        flash(_("模型“%(n)s”已启用。", n=model.name) if enable else _("模型“%(n)s”已停用。", n=model.name), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:model_id>/run")
def run(model_id: int):
    model = db.get_or_404(SupervisionModel, model_id)
    form = RunForm()
    if not form.validate_on_submit():
        flash(_("请填写期间。"), "error")
        return redirect(url_for(".index"))
    try:
        result = runs.run_model(model, form.period.data, trigger="manual", actor=current_user)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    if result.status == "failed":
        flash(_("模型“%(n)s”运行失败：%(e)s", n=model.name, e=result.error), "error")
    else:
        flash(_("模型“%(n)s”已运行（%(p)s）：命中 %(h)d 条，新预警 %(a)d 条。", n=model.name, p=result.period_key,
                h=result.hits, a=result.new_alerts), "success")
    return redirect(url_for(".index"))


@bp.get("/<int:model_id>/export.json")
@export_endpoint  # offline while the emergency lock is on
def export(model_id: int):
    model = db.get_or_404(SupervisionModel, model_id)
    return Response(sharing.dumps(sharing.export_package(model)), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=model-{model.key}.json"})


@bp.post("/import")
def import_():
    form = ImportForm()
    upload = form.package.data if form.validate_on_submit() else None
    if not upload:
        flash(_("请选择模型包文件。"), "error")
        return redirect(url_for(".index"))
    try:
        model = sharing.import_package(sharing.parse(upload.read(1_000_000)), actor=current_user)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    commit()
    flash(_("模型“%(n)s”已导入，处于停用状态；请审核参数并保存后再启用。", n=model.name), "success")
    return redirect(url_for(".edit", model_id=model.id))
