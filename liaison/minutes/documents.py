"""Minutes as documents: PDF through the one PDF function, DOCX with python-docx."""
from __future__ import annotations

import io

from flask_babel import gettext as _

from oversight.pdf import render_pdf
from ..forms import to_local
from ..labels import label
from .models import Minutes


def _context(minutes: Minutes) -> dict:
    meeting = minutes.meeting
    return {"minutes": minutes, "meeting": meeting, "title": _("%(t)s会议纪要", t=meeting.title),
            "classification": _("内部资料 注意保密"),
            "when": f"{to_local(meeting.starts_at):%Y-%m-%d %H:%M}–{to_local(meeting.ends_at):%H:%M}",
            "present": [i for i in meeting.invitations if i.attended],
            "absent": [i for i in meeting.invitations if not i.attended], "label": label}


def minutes_pdf(minutes: Minutes) -> bytes:
    return render_pdf("liaison/pdf/minutes.html", **_context(minutes))


def minutes_docx(minutes: Minutes) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    ctx = _context(minutes)
    meeting = ctx["meeting"]
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    doc.add_paragraph(ctx["classification"])
    doc.add_heading(ctx["title"], level=1)
    if minutes.state.value != "approved":
        doc.add_paragraph(_("（%(s)s，非正式文本）", s=label(minutes.state)))
    doc.add_paragraph(_("会议类型：%(k)s", k=label(meeting.kind)))
    doc.add_paragraph(_("时间：%(w)s（北京时间）", w=ctx["when"]))
    doc.add_paragraph(_("地点：%(p)s", p=meeting.place or meeting.online_url or "—"))
    doc.add_paragraph(_("组织单位：%(a)s；参会单位：%(b)s", a=meeting.organiser_org.name, b=meeting.counterpart_org.name))
    doc.add_paragraph(_("出席：%(p)s", p="、".join(i.user.display_name for i in ctx["present"]) or "—"))
    if ctx["absent"]:
        doc.add_paragraph(_("缺席：%(p)s", p="、".join(i.user.display_name for i in ctx["absent"])))
    if minutes.summary:
        doc.add_heading(_("会议概况"), level=2)
        doc.add_paragraph(minutes.summary)
    doc.add_heading(_("议程及讨论情况"), level=2)
    for index, item in enumerate(meeting.agenda, start=1):
        doc.add_paragraph(f"{index}. {item.title}")
        if item.discussion:
            doc.add_paragraph(item.discussion)
    doc.add_heading(_("议定事项"), level=2)
    for index, decision in enumerate(minutes.decisions, start=1):
        extra = (_("（责任单位：%(o)s，完成期限：%(d)s）", o=decision.owner_org.name, d=decision.due_on.isoformat())
                 if decision.owner_org else "")
        doc.add_paragraph(f"{index}. {decision.text}{extra}")
    corrections = [a for a in minutes.amendments if a.kind.value == "correction"]
    if corrections:
        doc.add_heading(_("更正说明"), level=2)
        for row in corrections:
            doc.add_paragraph(f"{to_local(row.created_at):%Y-%m-%d} {row.author.display_name}：{row.text}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
