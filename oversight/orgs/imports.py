"""Importing organisations from an XLSX or CSV sheet, all or nothing, with a row-by-row report."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..errors import ValidationFailed
from .models import OrgKind, OrgLevel
from .queries import get_by_code
from . import services

# Column headings accepted (Chinese as users write them, or the English field names).
COLUMNS = {
    "code": ("代码", "机构代码", "code"),
    "name": ("名称", "机构名称", "name"),
    "short_name": ("简称", "short_name"),
    "kind": ("类型", "机构类型", "kind"),
    "level": ("层级", "level"),
    "parent_code": ("上级代码", "上级机构代码", "parent_code"),
    "paired_code": ("配对检察院代码", "paired_code"),
    "serial_prefix": ("编号前缀", "serial_prefix"),
}
REQUIRED = ("code", "name", "kind")


@dataclass(frozen=True)
class RowProblem:
    row: int       # the row number as the spreadsheet shows it (heading = 1)
    message: str


@dataclass
class ImportReport:
    created: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.errors})


def read_sheet(filename: str, content: bytes) -> list[list[str]]:
    """The sheet's cells as text, heading row first. Raises ValidationFailed if it cannot be read."""
    name = filename.lower()
    try:
        if name.endswith(".csv"):
            for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValueError("encoding")
            return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
        if name.endswith(".xlsx"):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            return [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed(_("无法读取该文件，请确认它是有效的 XLSX 或 UTF-8/GB18030 编码的 CSV 文件。"),
                               field="sheet") from exc
    raise ValidationFailed(_("只支持 XLSX 或 CSV 文件。"), field="sheet")


def _enum_value(enum_cls, text: str):
    text = text.strip()
    for member in enum_cls:
        if text in (member.value, str(member.label)):
            return member
    return None


def import_organisations(rows: list[list[str]], *, actor) -> ImportReport:
    """Create the organisations the sheet lists. The caller commits only if `report.ok`."""
    report = ImportReport()
    rows = [r for r in rows if any(cell for cell in r)]
    if not rows:
        report.errors.append(RowProblem(1, _("表格是空的。")))
        return report
    heading = rows[0]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for position, title in enumerate(heading):
            if title in names:
                index[key] = position
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in index]
    if missing:
        report.errors.append(RowProblem(1, _("缺少必需的列：%(cols)s。", cols="、".join(missing))))
        return report

    def cell(row: list[str], key: str) -> str:
        position = index.get(key)
        return row[position].strip() if position is not None and position < len(row) else ""

    seen: dict[str, int] = {}
    pairings = []
    for number, row in enumerate(rows[1:], start=2):
        report.rows += 1
        code = cell(row, "code")
        problems = []
        if code and code.lower() in seen:
            problems.append(_("代码“%(code)s”与第 %(n)d 行重复。", code=code, n=seen[code.lower()]))
        kind = _enum_value(OrgKind, cell(row, "kind"))
        if kind is None:
            problems.append(_("机构类型“%(v)s”无法识别，可填：%(choices)s。", v=cell(row, "kind"),
                              choices=_("、").join(str(k.label) for k in OrgKind)))
        level_text = cell(row, "level")
        level = _enum_value(OrgLevel, level_text) if level_text else OrgLevel.NONE
        if level is None:
            problems.append(_("层级“%(v)s”无法识别，可填：%(choices)s。", v=level_text,
                              choices=_("、").join(str(lv.label) for lv in OrgLevel if lv is not OrgLevel.NONE)))
        parent_code = cell(row, "parent_code")
        parent = get_by_code(parent_code) if parent_code else None
        if parent_code and parent is None:
            problems.append(_("上级代码“%(code)s”既不是已有机构，也不在表中前面的行里。", code=parent_code))
        if problems:
            report.errors.extend(RowProblem(number, p) for p in problems)
            continue
        try:
            org = services.create_organisation(
                actor=actor, code=code, name=cell(row, "name"), kind=kind, level=level, parent=parent,
                short_name=cell(row, "short_name"), serial_prefix=cell(row, "serial_prefix"))
        except ValidationFailed as exc:
            report.errors.extend(RowProblem(number, m) for m in exc.errors.values())
            continue
        seen[code.lower()] = number
        report.created += 1
        if cell(row, "paired_code"):
            pairings.append((number, org, cell(row, "paired_code")))
    for number, org, paired_code in pairings:
        target = get_by_code(paired_code)
        if target is None:
            report.errors.append(RowProblem(number, _("配对检察院代码“%(code)s”不存在。", code=paired_code)))
            continue
        try:
            services.set_pairing(org, actor=actor, procuratorate=target)
        except ValidationFailed as exc:
            report.errors.extend(RowProblem(number, m) for m in exc.errors.values())
    if report.rows == 0:
        report.errors.append(RowProblem(2, _("表格只有列名，没有数据行。")))
    return report
