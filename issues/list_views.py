"""Drafting the three lists on the topic page, and the issued versions: their PDF, XLSX and diff."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from oversight.audit import services as audit
from oversight.db import commit, db, writes_on_get
from oversight.errors import ValidationFailed
from oversight.orgs.models import Organisation
from oversight.referrals.models import Referral
from oversight.web.forms import apply_errors

from . import documents, permissions
from .forms import ItemForm, ProblemForm, ResponsibilityForm, SourceForm
from .models import ListVersion, Problem, Responsibility
from .services import issuing, lists, topics as topic_services
from .views import detail_page, load, referral_choices
from .workflow import Severity

bp = Blueprint("topic_lists", __name__, url_prefix="/topics")


def _drafting(topic_id: int):
    topic = load(topic_id)
    if not permissions.can_edit_lists(current_user, topic):
        abort(403)
    return topic


def _child(model, ident, topic):
    """A problem or responsibility of `topic`, or None (the service then says what is missing)."""
    obj = db.session.get(model, ident) if ident else None
    owner = obj.topic if isinstance(obj, Problem) else obj.problem.topic if obj is not None else None
    return obj if owner is not None and owner.id == topic.id else None


def _save(topic, name, form, call, done):
    if form.validate():
        try:
            call()
        except ValidationFailed as exc:
            db.session.rollback()  # nothing half-saved
            apply_errors(form, exc)
        else:
            commit()
            flash(done, "success")
            return redirect(url_for("topics.detail", topic_id=topic.id) + f"#{name}")
    return detail_page(topic, drafting={name: form}, status=422)


@bp.post("/<int:topic_id>/problems")
def add_problem(topic_id: int):
    topic = _drafting(topic_id)
    form = ProblemForm(prefix="problem")
    form.set_choices()
    return _save(topic, "problem", form, lambda: lists.add_problem(
        topic, actor=current_user, description=form.description.data, evidence=form.evidence.data,
        category=form.category.data, severity=Severity(form.severity.data)), _("问题已加入问题清单。"))


@bp.post("/<int:topic_id>/responsibilities")
def add_responsibility(topic_id: int):
    topic = _drafting(topic_id)
    form = ResponsibilityForm(prefix="resp")
    from .queries import unit_choices

    form.set_choices(topic, unit_choices(topic))
    return _save(topic, "responsibility", form, lambda: lists.add_responsibility(
        _child(Problem, form.problem.data, topic), actor=current_user,
        lead_unit=db.session.get(Organisation, form.lead_unit.data) if form.lead_unit.data else None,
        co_units=[db.session.get(Organisation, i) for i in form.co_units.data],
        responsible_person=form.responsible_person.data, legal_basis=form.legal_basis.data),
        _("责任已加入责任清单。"))


@bp.post("/<int:topic_id>/items")
def add_item(topic_id: int):
    topic = _drafting(topic_id)
    form = ItemForm(prefix="item")
    form.set_choices(topic)
    return _save(topic, "item", form, lambda: lists.add_item(
        _child(Responsibility, form.responsibility.data, topic), actor=current_user, measures=form.measures.data,
        milestones=form.milestones.data, due_date=form.due_date.data,
        responsible_person=form.responsible_person.data,
        progress_every_days=form.progress_every_days.data if form.progress_every_days.data is not None else 30),
        _("整改事项已加入整改清单。"))


@bp.post("/<int:topic_id>/problems/<int:problem_id>/remove")
def remove_problem(topic_id: int, problem_id: int):
    topic = _drafting(topic_id)
    problem = _child(Problem, problem_id, topic) or abort(404)
    lists.remove_problem(problem, actor=current_user)
    commit()
    flash(_("问题已从清单中删除。"), "success")
    return redirect(url_for("topics.detail", topic_id=topic.id))


@bp.post("/<int:topic_id>/sources")
def link_source(topic_id: int):
    topic = load(topic_id)
    if not permissions.is_owner_side(current_user, topic):
        abort(403)
    form = SourceForm(prefix="source")
    form.referral.choices = [(0, "")] + [(r.id, r.title) for r in referral_choices()]
    if form.validate():
        try:
            topic_services.link_referral(topic, actor=current_user,
                                         referral=db.session.get(Referral, form.referral.data))
        except ValidationFailed as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(_("已关联来源事项。"), "success")
    else:
        for errors in form.errors.values():
            flash("；".join(errors), "error")
    return redirect(url_for("topics.detail", topic_id=topic.id))


# --- issued versions -------------------------------------------------------------------------------

def _version(topic_id: int, number: int) -> tuple:
    topic = load(topic_id)
    version = db.session.scalar(db.select(ListVersion).filter_by(topic_id=topic.id, number=number))
    if version is None:
        abort(404)
    return topic, version


@bp.get("/<int:topic_id>/versions/<int:number>")
def version_page(topic_id: int, number: int):
    topic, version = _version(topic_id, number)
    snap = issuing.load_snapshot(version)
    previous = next((v for v in topic.versions if v.number == number - 1), None)
    changes = issuing.diff(issuing.load_snapshot(previous), snap) if previous else None
    problems, resps, items = documents.rows(snap)
    return render_template("topics/version.html", t=topic, version=version, previous=previous, changes=changes,
                           headers=documents.headers(), problems=problems, resps=resps, rect_items=items)


@bp.get("/<int:topic_id>/versions/<int:number>.pdf")
@writes_on_get  # every download of an issued list is audited
def version_pdf(topic_id: int, number: int):
    topic, version = _version(topic_id, number)
    _record_download(topic, version, "pdf")
    return send_file(io.BytesIO(documents.version_pdf(topic, version)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"{version.document_number}.pdf")


@bp.get("/<int:topic_id>/versions/<int:number>.xlsx")
@writes_on_get
def version_xlsx(topic_id: int, number: int):
    topic, version = _version(topic_id, number)
    _record_download(topic, version, "xlsx")
    return send_file(io.BytesIO(documents.version_xlsx(version)), mimetype=documents.XLSX, as_attachment=True,
                     download_name=f"{version.document_number}.xlsx")


def _record_download(topic, version: ListVersion, fmt: str) -> None:
    audit.record("topic.version.downloaded", actor=current_user, obj=topic,
                 summary={"version": version.number, "document_number": version.document_number, "format": fmt})
    commit()
