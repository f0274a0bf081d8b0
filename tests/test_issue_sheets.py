"""The spreadsheet round trip: a unit exports its open items, fills in progress, imports the same
sheet; a sheet with a bad row saves nothing and reports every refused row in Chinese."""
from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from issues.models import ProgressReport
from issues.services import sheets
from oversight.db import db

from .conftest import text_of
from .test_issue_services import crew, issued_topic  # noqa: F401  (crew: a fixture)


def _filled(data: bytes, values: dict[int, tuple]) -> io.BytesIO:
    """The exported workbook with (percent, text, evidence, reason) written into the given data rows."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for row, (percent, text, evidence, reason) in values.items():
        for col, value in zip((8, 9, 10, 11), (percent, text, evidence, reason)):
            sheet.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_round_trip_through_the_pages(client, login, crew):
    issued_topic(crew)
    issued_topic(crew)
    login(crew.contact)
    exported = client.get("/topics/items/progress.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert [c.value for c in sheet[1]] == sheets.headers() and sheet.max_row == 3
    upload = _filled(exported.data, {2: (30, "已摸底", "台账", None), 3: (None, None, None, None)})
    response = client.post("/topics/items/import", data={"file": (upload, "progress.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert [r.percent for r in db.session.scalars(sa.select(ProgressReport))] == [30]


def test_a_bad_row_saves_nothing_and_is_reported_row_by_row(client, login, crew):
    issued_topic(crew)
    issued_topic(crew)
    login(crew.contact)
    exported = client.get("/topics/items/progress.xlsx").data
    upload = _filled(exported, {2: (50, "过半", "", None), 3: (150, "超了", "", None)})
    response = client.post("/topics/items/import", data={"file": (upload, "progress.xlsx")},
                           content_type="multipart/form-data")
    page = text_of(response)
    assert response.status_code == 422
    assert "所有行均未保存" in page and "3 进展百分比必须是 0 到 100 之间的整数" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0


def test_someone_elses_item_and_a_foreign_file_are_refused(client, login, crew):
    issued_topic(crew)
    login(crew.d_contact)  # the district procuratorate: not responsible for the city's items
    data = client.get("/topics/items/progress.xlsx").data
    assert load_workbook(io.BytesIO(data)).active.max_row == 1
    book = load_workbook(io.BytesIO(data))
    book.active.append([1, "", "", "", "", None, 0, 40, "进展", "", ""])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    page = text_of(client.post("/topics/items/import", data={"file": (out, "p.xlsx")},
                               content_type="multipart/form-data"))
    assert "不能为该事项报告进展" in page
    page = text_of(client.post("/topics/items/import", data={"file": (io.BytesIO(b"not excel"), "p.xlsx")},
                               content_type="multipart/form-data"))
    assert "无法读取该文件" in page
