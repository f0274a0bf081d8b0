"""The issued lists as documents — PDF (one function, `oversight.pdf.render_pdf`) and XLSX with one
sheet per list — built from a version's frozen snapshot, and the topic list's export."""
from __future__ import annotations

import io

from flask_babel import gettext as _

from oversight.exports import safe_cell
from oversight.pdf import render_pdf
from oversight.referrals.labels import classification as classification_label

from . import labels
from .models import ListVersion, Topic
from .services.issuing import load_snapshot
from .workflow import Severity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _severity(value: str) -> str:
    return labels.severity(Severity(value))


def rows(snapshot: dict) -> tuple[list, list, list]:
    """The three tables of a snapshot as rows: problems, responsibilities, rectification items."""
    problems, resps, items = [], [], []
    for p in snapshot["problems"]:
        problems.append([p["number"], p["description"], p["category"], _severity(p["severity"]), p["evidence"]])
        for r in p["responsibilities"]:
            resps.append([p["number"], r["lead_unit"], "、".join(r["co_units"]), r["responsible_person"],
                          r["legal_basis"]])
            for i in r["items"]:
                items.append([p["number"], r["lead_unit"], i["measures"], i["milestones"], i["due_date"],
                              i["responsible_person"]])
    return problems, resps, items


def headers() -> tuple[list, list, list]:
    return ([_("序号"), _("问题描述"), _("类别"), _("严重程度"), _("证据")],
            [_("问题序号"), _("牵头责任单位"), _("协同单位"), _("责任人"), _("法律依据")],
            [_("问题序号"), _("责任单位"), _("整改措施"), _("节点安排"), _("整改期限"), _("责任人")])


def version_pdf(topic: Topic, version: ListVersion) -> bytes:
    snap = load_snapshot(version)
    problems, resps, items = rows(snap)
    return render_pdf("topics/pdf/lists.html", title=snap["title"], document_number=version.document_number,
                      classification=classification_label(topic.classification), topic=topic, version=version,
                      snap=snap, headers=headers(), problems=problems, resps=resps, items=items)


def version_xlsx(version: ListVersion) -> bytes:
    from openpyxl import Workbook

    snap = load_snapshot(version)
    book = Workbook(write_only=True)
    for name, head, body in zip((_("问题清单"), _("责任清单"), _("整改清单")), headers(), rows(snap)):
        sheet = book.create_sheet(name)
        sheet.append([safe_cell(f"{version.document_number} {snap['title']}")])
        sheet.append(head)
        for row in body:
            sheet.append([safe_cell(v) for v in row])
    return _bytes(book)


def topics_workbook(topics: list[Topic], rollups: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("监督议题"))
    sheet.append([_("编号"), _("议题名称"), _("领域"), _("牵头机构"), _("状态"), _("清单版本"), _("整改事项数"),
                  _("已销号"), _("逾期"), _("单位报告进度（%）"), _("人大认定进度（%）"), _("完成率（%）")])
    for t in topics:
        r = rollups[t.id]
        sheet.append([safe_cell(v) for v in (
            t.serial or "", t.title, labels.area(t.area), t.lead_body.name, labels.topic_state(t.state),
            t.issued_version, r.items, r.signed_off, r.overdue, r.reported, r.accepted, r.completion)])
    return _bytes(book)


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
