"""Drafting the three lists: problems (问题清单), responsibilities (责任清单) and rectification items
(整改清单). Only while the topic is being drafted, only by the owner's staff."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.audit import services as audit
from oversight.db import db
from oversight.errors import InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.models import Organisation, OrgKind
from oversight.workdays import today

from .. import permissions
from ..models import Problem, RectificationItem, Responsibility, Topic
from ..workflow import Severity, TopicState
from .common import MAX_SHORT, text
from .topics import note_event

UNIT_KINDS = frozenset({OrgKind.PROCURATORATE, OrgKind.PROCURATORATE_DEPARTMENT, OrgKind.EXTERNAL_UNIT,
                        OrgKind.NPC_BODY})
MAX_PERSON = 60


def _drafting(topic: Topic, actor) -> None:
    if topic.state is not TopicState.OPEN:
        raise InvalidTransition(_("清单只能在起草阶段修改；已印发的清单请先“修订清单”。"))
    if actor is not None and not permissions.can_edit_lists(actor, topic):
        raise NotAllowed(_("只有议题所属人大常委会的联络人员可以起草清单。"))


def _unit(org: Organisation | None, topic: Topic, field: str = "lead_unit") -> Organisation:
    if org is None:
        raise ValidationFailed(_("请选择责任单位：每一项责任和整改事项都必须有牵头责任单位。"), field=field)
    if org.kind not in UNIT_KINDS or not org.active:
        raise ValidationFailed(_("“%(org)s”不能作为责任单位。", org=org.name), field=field)
    if not permissions.may_be_responsible(topic, org):
        raise ValidationFailed(_("“%(org)s”不在本议题的监督范围内：责任单位应为同级检察院及其下级检察院、内设部门，"
                                 "本级人大常委会工作机构或其他单位。", org=org.name), field=field)
    return org


def _due(value: dt.date | None, *, not_before: dt.date, field: str = "due_date") -> dt.date:
    if value is None:
        raise ValidationFailed(_("请填写整改期限。"), field=field)
    if value <= not_before:
        raise ValidationFailed(_("整改期限（%(d)s）不能早于或等于清单印发日期（%(i)s）。",
                                 d=value.isoformat(), i=not_before.isoformat()), field=field)
    return value


# --- 问题清单 ------------------------------------------------------------------------------------

def add_problem(topic: Topic, *, actor, description: str, evidence: str = "", category: str = "",
                severity: Severity = Severity.MINOR) -> Problem:
    _drafting(topic, actor)
    description = text(description, "description", _("请填写问题描述。"))
    number = (db.session.scalar(sa.select(sa.func.max(Problem.number)).where(Problem.topic_id == topic.id)) or 0) + 1
    problem = Problem(topic=topic, number=number, description=description, severity=severity,
                      evidence=text(evidence, "evidence", "", required=False),
                      category=text(category, "category", "", limit=60, required=False))
    db.session.add(problem)
    db.session.flush()
    audit.record("topic.add_problem", actor=actor, obj=topic, summary={"number": number})
    note_event(topic, actor, "add_problem", _("问题 %(n)d", n=number))
    return problem


def update_problem(problem: Problem, *, actor, description: str, evidence: str = "", category: str = "",
                   severity: Severity = Severity.MINOR) -> None:
    _drafting(problem.topic, actor)
    problem.description = text(description, "description", _("请填写问题描述。"))
    problem.evidence = text(evidence, "evidence", "", required=False)
    problem.category = text(category, "category", "", limit=60, required=False)
    problem.severity = severity
    audit.record("topic.update_problem", actor=actor, obj=problem.topic, summary={"number": problem.number})


def remove_problem(problem: Problem, *, actor) -> None:
    """Only a problem that no issued version contains; issued ones stay, as history does."""
    topic = problem.topic
    _drafting(topic, actor)
    if any(item.issued_in is not None for resp in problem.responsibilities for item in resp.items):
        raise ValidationFailed(_("该问题已随清单印发，不能删除；如已不存在，请在修订说明中写明。"))
    for resp in problem.responsibilities:
        for item in resp.items:
            db.session.delete(item)
        db.session.delete(resp)
    db.session.delete(problem)
    audit.record("topic.remove_problem", actor=actor, obj=topic, summary={"number": problem.number})
    db.session.flush()


# --- 责任清单 ------------------------------------------------------------------------------------

def add_responsibility(problem: Problem, *, actor, lead_unit: Organisation | None, co_units=(),
                       responsible_person: str = "", legal_basis: str = "") -> Responsibility:
    _drafting(problem.topic, actor)
    lead_unit = _unit(lead_unit, problem.topic)
    co = [_unit(org, problem.topic, "co_units") for org in co_units if org.id != lead_unit.id]
    resp = Responsibility(problem=problem, lead_unit=lead_unit, co_units=co,
                          responsible_person=text(responsible_person, "responsible_person", "", limit=MAX_PERSON,
                                                  required=False),
                          legal_basis=text(legal_basis, "legal_basis", "", required=False))
    db.session.add(resp)
    db.session.flush()
    audit.record("topic.add_responsibility", actor=actor, obj=problem.topic,
                 summary={"problem": problem.number, "unit": lead_unit.code})
    note_event(problem.topic, actor, "add_responsibility", _("问题 %(n)d：%(u)s", n=problem.number, u=lead_unit.name))
    return resp


# --- 整改清单 ------------------------------------------------------------------------------------

def add_item(responsibility: Responsibility | None, *, actor, measures: str, due_date: dt.date | None,
             milestones: str = "", responsible_person: str = "", progress_every_days: int = 30) -> RectificationItem:
    """A rectification item for one responsibility; its unit is the responsibility's lead unit."""
    if responsibility is None:
        raise ValidationFailed(_("请选择责任单位：整改事项必须对应责任清单中的一项责任。"), field="responsibility")
    topic = responsibility.problem.topic
    _drafting(topic, actor)
    errors = {}
    try:
        measures = text(measures, "measures", _("请填写整改措施。"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        due_date = _due(due_date, not_before=today())
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if not 1 <= (progress_every_days or 0) <= 366:
        errors["progress_every_days"] = _("进展报告周期应在 1 至 366 天之间。")
    if errors:
        raise ValidationFailed(errors)
    item = RectificationItem(topic=topic, responsibility=responsibility, unit=_unit(responsibility.lead_unit, topic),
                             measures=measures, due_date=due_date, progress_every_days=progress_every_days,
                             milestones=text(milestones, "milestones", "", required=False),
                             responsible_person=text(responsible_person, "responsible_person", "",
                                                     limit=MAX_PERSON, required=False))
    db.session.add(item)
    db.session.flush()
    audit.record("topic.add_item", actor=actor, obj=item, summary={"topic": topic.id, "due": due_date.isoformat()})
    note_event(topic, actor, "add_item", measures[:MAX_SHORT])
    return item


def update_item(item: RectificationItem, *, actor, measures: str, milestones: str = "",
                responsible_person: str = "", due_date: dt.date | None = None) -> None:
    """While revising: words may change; the due date of an issued item changes only by extension."""
    _drafting(item.topic, actor)
    item.measures = text(measures, "measures", _("请填写整改措施。"))
    item.milestones = text(milestones, "milestones", "", required=False)
    item.responsible_person = text(responsible_person, "responsible_person", "", limit=MAX_PERSON, required=False)
    if due_date is not None and due_date != item.due_date:
        if item.issued_in is not None:
            raise ValidationFailed(_("已印发事项的整改期限只能通过延期申请变更。"), field="due_date")
        item.due_date = _due(due_date, not_before=today())
    audit.record("topic.update_item", actor=actor, obj=item, summary={"topic": item.topic_id})


def check_due_dates(topic: Topic, issue_date: dt.date) -> None:
    """Every item not yet issued must fall due after the day the lists are issued."""
    for problem in topic.problems:
        for resp in problem.responsibilities:
            for item in resp.items:
                if item.issued_in is None:
                    _due(item.due_date, not_before=issue_date)
