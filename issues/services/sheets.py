"""The round trip for units that keep their progress in spreadsheets: export their open items to
XLSX, fill in this period's progress, import the same sheet back. All rows or none: every row is
checked by the same service as the page uses, and a row-by-row report lists what was refused."""
from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.db import db
from oversight.errors import DomainError, ValidationFailed
from oversight.exports import safe_cell
from oversight.orgs.queries import in_scope

from .. import permissions
from ..models import RectificationItem, Responsibility, Topic
from ..workflow import ItemAction, ItemState
from . import items as item_services

ID_COL, PERCENT_COL, TEXT_COL, EVIDENCE_COL, REASON_COL = 0, 7, 8, 9, 10
MAX_ROWS = 5_000


def headers() -> list[str]:
    return [_("事项编号（勿改）"), _("议题"), _("问题"), _("责任单位"), _("整改措施"), _("整改期限"),
            _("上次报告进度（%）"), _("本次进度（%）"), _("进展情况"), _("佐证材料"), _("进度下降的原因")]


def reportable(user) -> list[RectificationItem]:
    """The issued, open items `user` may report progress on, by topic and due date."""
    stmt = (sa.select(RectificationItem).join(Topic, RectificationItem.topic_id == Topic.id)
            .where(RectificationItem.issued_in.is_not(None),
                   RectificationItem.state.in_([ItemState.PENDING, ItemState.IN_PROGRESS]),
                   in_scope(RectificationItem.unit_id, Topic.owner_org_id, user=user))
            .order_by(RectificationItem.topic_id, RectificationItem.due_date, RectificationItem.id)
            .options(sa.orm.joinedload(RectificationItem.topic),
                     sa.orm.joinedload(RectificationItem.responsibility).joinedload(Responsibility.problem)))
    return [i for i in db.session.scalars(stmt) if permissions.can_act_item(user, i, ItemAction.REPORT_PROGRESS)]


def export_items(user) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("整改进展")
    sheet.append(headers())
    for item in reportable(user):
        sheet.append([safe_cell(v) for v in (
            item.id, item.topic.title, item.responsibility.problem.description, item.unit.name,
            item.measures, item.due_date, item.reported_percent, None, None, None, None)])
    for column, width in zip("ABCDEFGHIJK", (12, 24, 30, 16, 30, 12, 10, 10, 36, 24, 24)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class ImportResult:
    applied: int
    skipped: int


class ImportFailed(ValidationFailed):
    """Some rows were refused; `rows` lists (row number, message). Nothing was applied."""

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__(_("导入未完成：%(n)d 行有误，所有行均未保存。请按下表修改后重新导入。", n=len(rows)))
        self.rows = rows


def import_progress(stream, *, actor) -> ImportResult:
    """Apply every filled-in row as a progress report. Raises ImportFailed (nothing applied) if any
    row is refused; the caller rolls back."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed(_("无法读取该文件，请上传由本系统导出的 XLSX 文件。"), field="file") from exc
    # Read at most the header, MAX_ROWS rows and one more (to know there are too many) — never the whole sheet.
    rows = list(itertools.islice(book.worksheets[0].iter_rows(values_only=True), MAX_ROWS + 2))
    if not rows or [str(c or "") for c in rows[0][:len(headers())]] != headers():
        raise ValidationFailed(_("表头与导出的模板不一致，请使用本系统导出的表格。"), field="file")
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed(_("一次最多导入 %(n)d 行。", n=MAX_ROWS), field="file")
    allowed = {i.id: i for i in reportable(actor)}
    errors, applied, skipped = [], 0, 0
    for number, row in enumerate(rows[1:], start=2):
        row = list(row) + [None] * (len(headers()) - len(row))
        if all(row[c] in (None, "") for c in (PERCENT_COL, TEXT_COL, EVIDENCE_COL, REASON_COL)):
            skipped += 1
            continue
        item = allowed.get(_int(row[ID_COL]))
        if item is None:
            errors.append((number, _("事项编号“%(v)s”不存在，或您不能为该事项报告进展。", v=row[ID_COL] or "")))
            continue
        percent = _int(row[PERCENT_COL])
        if percent is None and row[PERCENT_COL] not in (None, ""):
            errors.append((number, _("本次进度须为 0 到 100 之间的整数。")))
            continue
        try:
            with db.session.begin_nested():
                item_services.report_progress(item, actor=actor, percent=percent, text_=str(row[TEXT_COL] or ""),
                                              evidence=str(row[EVIDENCE_COL] or ""),
                                              lower_reason=str(row[REASON_COL] or ""))
        except DomainError as exc:
            errors.append((number, exc.message))
        else:
            applied += 1
    if errors:
        raise ImportFailed(errors)
    return ImportResult(applied, skipped)


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value or "").strip()
    return int(text) if text.lstrip("-").isdigit() else None


__all__ = ["ImportFailed", "export_items", "import_progress"]
