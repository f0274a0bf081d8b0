"""A report's PDF and XLSX from its data: the PDF through `oversight.pdf.render_pdf` (cover, table of
contents, page numbers, classification header), the workbook with openpyxl — the same tables, the
same figures."""
from __future__ import annotations

import io

from flask import current_app
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from oversight.pdf import render_pdf
from oversight.workdays import today

from .charts import table_chart
from .definitions import ReportDefinition
from .statistics import Period
from .statistics.figures import Rate, insufficient_text


def context(definition: ReportDefinition, period: Period, data: dict) -> dict:
    if "charts" not in data:
        data["charts"] = {t.key: table_chart(t) for s in data["stats"].sections for t in s.tables}
    title = f"{period.label}{definition.title}"
    return {"title": title, "report_title": str(definition.title), "period": period, "definition": definition,
            "classification": current_app.config.get("REPORTS_CLASSIFICATION_HEADER", "内部资料 注意保密"),
            "document_number": f"{definition.key}-{period.key}", "generated_on": today(), **data}


def _plain_context(definition: ReportDefinition, period: Period) -> dict:
    return {"title": f"{period.label}{definition.title}", "generated_on": today(),
            "classification": current_app.config.get("REPORTS_CLASSIFICATION_HEADER", "内部资料 注意保密")}


def pdf(definition: ReportDefinition, period: Period, data: dict) -> bytes:
    return render_pdf(definition.template, **context(definition, period, data))


def cell_value(value):
    """What a workbook cell holds: rates as fractions (shown as percentages), 样本不足 as text."""
    if isinstance(value, Rate):
        return insufficient_text() if value.percent is None else round(value.percent / 100, 3)
    if value is None:
        return insufficient_text()
    return value


def xlsx(definition: ReportDefinition, period: Period, data: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("说明")
    ctx = context(definition, period, data) if "charts" in data else _plain_context(definition, period)
    for row in ([ctx["title"]], [_("统计周期"), f"{period.start.isoformat()} — {period.last_day.isoformat()}"],
                [_("密级"), ctx["classification"]], [_("生成日期"), ctx["generated_on"].isoformat()], [data["note"]]):
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    for section in data["stats"].sections:
        ws = book.create_sheet(section.title[:31])
        for table in section.tables:
            ws.append([table.title])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            ws.append([table.label_column, *table.columns])
            for row in table.rows:
                ws.append([row.label, *[cell_value(v) for v in row.values]])
                for col, value in enumerate(row.values, start=2):
                    if isinstance(value, Rate) and value.percent is not None:
                        ws.cell(ws.max_row, col).number_format = "0.0%"
                    elif isinstance(value, float):
                        ws.cell(ws.max_row, col).number_format = "0.0"
            ws.append([])
        ws.column_dimensions["A"].width = 28
    defs = book.create_sheet(_("指标口径"))
    defs.append([_("指标"), _("定义")])
    for label, text in data["definitions"]:
        defs.append([label, text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


