"""Issuing the three lists: submit for review, send back, approve and issue as a numbered, frozen
version; revise (the next issue is a new version); the differences between two versions."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from oversight.accounts.models import Role
from oversight.db import db
from oversight.errors import NotAllowed, ValidationFailed
from oversight.orgs.models import Organisation
from oversight.workdays import add_days, today

from ..models import ItemState, ListVersion, Topic, TopicSerialCounter
from ..workflow import TopicAction, TopicState
from .common import owner_staff, tell, text, unit_people
from .lists import check_due_dates
from .topics import apply, check


def _complete(topic: Topic) -> None:
    """The three lists hang together: every problem has a responsibility, every responsibility an item."""
    if not topic.problems:
        raise ValidationFailed(_("问题清单为空：请至少列出一个问题。"))
    for problem in topic.problems:
        if not problem.responsibilities:
            raise ValidationFailed(_("问题 %(n)d 尚未明确责任单位。", n=problem.number))
        for resp in problem.responsibilities:
            if not resp.items:
                raise ValidationFailed(_("问题 %(n)d 的责任单位“%(u)s”尚无整改事项。",
                                         n=problem.number, u=resp.lead_unit.name))


def submit(topic: Topic, *, actor, expected_version: int | None = None) -> None:
    """提请审核: the drafted lists go to the committee's reviewer."""
    check(topic, TopicAction.SUBMIT, actor, expected_version=expected_version)
    _complete(topic)
    check_due_dates(topic, today())
    topic.submitted_by_id = actor.id if actor is not None else None
    topic.review_note = None
    apply(topic, TopicAction.SUBMIT, actor)
    tell(owner_staff(topic.owner_org, Role.NPC_REVIEWER), kind="topic_review",
         title=_("请审核监督议题清单：%(t)s", t=topic.title), link=f"/topics/{topic.id}")


def send_back(topic: Topic, *, actor, reason: str, expected_version: int | None = None) -> None:
    check(topic, TopicAction.SEND_BACK, actor, expected_version=expected_version)
    topic.review_note = text(reason, "reason", _("退回修改须说明理由。"))
    apply(topic, TopicAction.SEND_BACK, actor, note=topic.review_note)
    people = [u for u in owner_staff(topic.owner_org) if u.id == topic.submitted_by_id] or owner_staff(topic.owner_org)
    tell(people, kind="topic_sent_back", title=_("清单被退回修改：%(t)s", t=topic.title), body=topic.review_note,
         link=f"/topics/{topic.id}")


def next_serial(org: Organisation, year: int) -> str:
    """`PREFIX-QD-YEAR-NNNN`, unique per committee and year, never reused."""
    table = TopicSerialCounter.__table__
    try:
        with db.session.begin_nested():
            db.session.execute(sa.insert(table).values(organisation_id=org.id, year=year, last=0))
    except IntegrityError:
        pass  # the counter exists already
    number = db.session.execute(
        sa.update(table).where(table.c.organisation_id == org.id, table.c.year == year)
        .values(last=table.c.last + 1).returning(table.c.last)).scalar_one()
    return f"{org.serial_prefix or org.code}-QD-{year}-{number:04d}"


def issue(topic: Topic, *, actor, note: str = "", expected_version: int | None = None) -> ListVersion:
    """审核印发: a reviewer other than the drafter approves; the lists become version N, frozen."""
    check(topic, TopicAction.ISSUE, actor, expected_version=expected_version)
    if actor is not None and topic.submitted_by_id == actor.id:
        raise NotAllowed(_("提请审核的人不能审核印发自己起草的清单。"))
    _complete(topic)
    on = today()
    check_due_dates(topic, on)
    if topic.serial is None:
        topic.serial = next_serial(topic.owner_org, on.year)
    number = topic.issued_version + 1
    topic.issued_version = number
    new_items = []
    for problem in topic.problems:
        for resp in problem.responsibilities:
            for item in resp.items:
                if item.issued_in is None:
                    item.issued_in = number
                    item.progress_due = min(add_days(on, item.progress_every_days), item.due_date)
                    new_items.append(item)
    version = ListVersion(topic=topic, number=number, document_number=document_number(topic.serial, number),
                          snapshot=json.dumps(snapshot(topic), ensure_ascii=False, sort_keys=True),
                          issued_by_id=actor.id, drafted_by_id=topic.submitted_by_id,
                          note=(note or "").strip())
    db.session.add(version)
    started = any(i.state is not ItemState.PENDING for p in topic.problems for r in p.responsibilities for i in r.items)
    apply(topic, TopicAction.ISSUE, actor, target=TopicState.RECTIFYING if started else TopicState.ISSUED,
          note=version.document_number, summary={"version": number, "document": version.document_number})
    link = f"/topics/{topic.id}"
    units = {item.unit_id: item.unit for item in new_items}
    for unit in units.values():
        tell(unit_people(unit), kind="lists_issued", link=link,
             title=_("%(doc)s 整改清单已印发：%(t)s", doc=version.document_number, t=topic.title),
             body=_("贵单位为责任单位，请按期报告整改进展。"))
    tell(owner_staff(topic.owner_org), kind="lists_issued", link=link,
         title=_("%(doc)s 清单已印发：%(t)s", doc=version.document_number, t=topic.title))
    return version


def document_number(serial: str, number: int) -> str:
    return serial if number == 1 else f"{serial}-V{number}"


def revise(topic: Topic, *, actor, reason: str, expected_version: int | None = None) -> None:
    """修订清单: back to drafting; rectification goes on; the next issue is a new version."""
    check(topic, TopicAction.REVISE, actor, expected_version=expected_version)
    topic.revision_reason = text(reason, "reason", _("请说明修订理由。"))
    apply(topic, TopicAction.REVISE, actor, note=topic.revision_reason)


# --- versions ------------------------------------------------------------------------------------

def snapshot(topic: Topic) -> dict:
    """The three lists as plain data — what an issued version freezes and what the diff compares."""
    problems = []
    for p in topic.problems:
        problems.append({
            "number": p.number, "description": p.description, "evidence": p.evidence, "category": p.category,
            "severity": p.severity.value,
            "responsibilities": [{
                "key": r.id, "lead_unit": r.lead_unit.name, "co_units": [o.name for o in r.co_units],
                "responsible_person": r.responsible_person, "legal_basis": r.legal_basis,
                "items": [{"key": i.id, "measures": i.measures, "milestones": i.milestones,
                           "due_date": i.due_date.isoformat(), "responsible_person": i.responsible_person}
                          for i in r.items],
            } for r in p.responsibilities],
        })
    return {"title": topic.title, "description": topic.description, "problems": problems}


def load_snapshot(version: ListVersion) -> dict:
    return json.loads(version.snapshot)


def diff(old: dict, new: dict) -> list[tuple[str, str, str, str]]:
    """Changes from `old` to `new` as (kind, where, before, after); kind is added/removed/changed."""
    changes: list[tuple[str, str, str, str]] = []

    def rows(snap):
        out = {}
        for p in snap["problems"]:
            out[("problem", p["number"])] = (_("问题 %(n)d", n=p["number"]),
                                            {k: p[k] for k in ("description", "evidence", "category", "severity")})
            for r in p["responsibilities"]:
                out[("resp", r["key"])] = (_("问题 %(n)d · 责任单位", n=p["number"]),
                                          {"lead_unit": r["lead_unit"], "co_units": "、".join(r["co_units"]),
                                           "responsible_person": r["responsible_person"],
                                           "legal_basis": r["legal_basis"]})
                for i in r["items"]:
                    out[("item", i["key"])] = (_("问题 %(n)d · %(u)s · 整改事项", n=p["number"], u=r["lead_unit"]),
                                              {k: i[k] for k in ("measures", "milestones", "due_date",
                                                                 "responsible_person")})
        return out

    before, after = rows(old), rows(new)
    for key, (where, fields) in after.items():
        if key not in before:
            changes.append(("added", where, "", "；".join(str(v) for v in fields.values() if v)))
            continue
        for name, value in fields.items():
            was = before[key][1].get(name)
            if was != value:
                changes.append(("changed", f"{where} · {field_names().get(name, name)}", str(was), str(value)))
    for key, (where, fields) in before.items():
        if key not in after:
            changes.append(("removed", where, "；".join(str(v) for v in fields.values() if v), ""))
    return changes


def field_names() -> dict[str, str]:  # noqa: N802 — a table of labels, translated at call time
    return {"description": _("问题描述"), "evidence": _("证据"), "category": _("类别"), "severity": _("严重程度"),
            "lead_unit": _("牵头单位"), "co_units": _("协同单位"), "responsible_person": _("责任人"),
            "legal_basis": _("法律依据"), "measures": _("整改措施"), "milestones": _("节点安排"),
            "due_date": _("整改期限")}
