"""The public-safe snapshot of a topic's three lists, frozen into a rectification-status publication.

Only what the public may read is copied: the topic's title and area, each problem's number, category, severity
and description, each responsibility's units (institutions, never the responsible person), and each issued
rectification item's measures, due date, state and the percentage the NPC side accepted — never evidence,
progress texts, reasons, reported-but-unaccepted figures or anything from drafts. Every text runs through the
redaction masking on the way in, so a name or number written into a list is masked on the public page.
"""
from __future__ import annotations

import datetime as dt
import json

from issues import labels as issue_labels
from issues.models import RectificationItem, Topic
from issues.workflow import ItemState, Severity
from oversight.redaction import mask_all


def take(topic: Topic, private_names=(), today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    problems, counts = [], {"items": 0, "signed_off": 0, "in_progress": 0, "pending": 0, "overdue": 0}
    accepted_total = 0
    for problem in topic.problems:
        responsibilities = []
        for resp in problem.responsibilities:
            items = [i for i in resp.items if i.issued_in is not None]
            if not items:
                continue
            rows = []
            for item in items:
                rows.append(_item(item, private_names, today))
                counts["items"] += 1
                accepted_total += item.accepted_percent
                if item.state is ItemState.SIGNED_OFF:
                    counts["signed_off"] += 1
                elif item.state is ItemState.PENDING:
                    counts["pending"] += 1
                else:
                    counts["in_progress"] += 1
                if item.state is not ItemState.SIGNED_OFF and item.due_date < today:
                    counts["overdue"] += 1
            responsibilities.append({"lead_unit": resp.lead_unit.name,
                                     "co_units": [o.name for o in resp.co_units], "items": rows})
        if responsibilities:
            problems.append({"number": problem.number, "category": mask_all(problem.category, private_names),
                             "severity": problem.severity.value,
                             "description": mask_all(problem.description, private_names),
                             "responsibilities": responsibilities})
    counts["average_percent"] = round(accepted_total / counts["items"]) if counts["items"] else 0
    return {"topic": {"title": mask_all(topic.title, private_names), "area": topic.area.value,
                      "serial": topic.serial or ""},
            "taken_on": today.isoformat(), "counts": counts, "problems": problems}


def _item(item: RectificationItem, private_names, today: dt.date) -> dict:
    return {"measures": mask_all(item.measures, private_names), "due_date": item.due_date.isoformat(),
            "state": item.state.value, "percent": item.accepted_percent,
            "overdue": item.state is not ItemState.SIGNED_OFF and item.due_date < today,
            "signed_off_on": item.signed_off_at.date().isoformat() if item.signed_off_at else ""}


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> dict | None:
    return json.loads(text) if text else None


def texts(data: dict | None):
    """Every string in a snapshot (for the redaction check and for search)."""
    if not data:
        return
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            yield node


def state_label(value: str) -> str:
    return issue_labels.item_state(ItemState(value))


def severity_label(value: str) -> str:
    return issue_labels.severity(Severity(value))
