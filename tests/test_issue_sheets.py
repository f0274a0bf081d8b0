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


def test_user_text_is_never_written_as_a_formula(crew):
    """Text starting with = + - @ (or a tab/CR) gets an apostrophe in every issues XLSX (and the referral ones)."""
    from issues import documents, queries
    from issues.models import ListVersion
    from issues.services import lists, topics
    from oversight.exports import safe_cell

    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("\tx") == "'\tx"
    assert safe_cell("正常") == "正常" and safe_cell(5) == 5 and safe_cell(None) is None
    formula = '=HYPERLINK("http://evil.example","点击")'
    topic = topics.create_topic(actor=crew.staff, title="+cmd|' /C calc'!A0", lead_body=crew.world.body)
    problem = lists.add_problem(topic, actor=crew.staff, description=formula, category="-2+3")
    resp = lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.proc, legal_basis="@SUM(1)")
    import datetime as dt

    from oversight.workdays import today

    lists.add_item(resp, actor=crew.staff, measures=formula, due_date=today() + dt.timedelta(days=90))
    db.session.commit()
    from issues.services import issuing

    issuing.submit(topic, actor=crew.staff)
    issuing.issue(topic, actor=crew.reviewer)
    db.session.commit()
    version = db.session.scalar(sa.select(ListVersion).where(ListVersion.topic_id == topic.id))
    books = [documents.version_xlsx(version), sheets.export_items(crew.contact),
             documents.topics_workbook([topic], {topic.id: queries.progress(topic).topic})]
    for data in books:
        for sheet in load_workbook(io.BytesIO(data)).worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert value[:1] not in ("=", "+", "-", "@"), value
    export = load_workbook(io.BytesIO(sheets.export_items(crew.contact))).active
    assert export.cell(row=2, column=5).value == "'" + formula


def test_an_oversized_sheet_is_refused_without_reading_it_all(crew, monkeypatch):
    from openpyxl import Workbook

    import pytest

    from oversight.errors import ValidationFailed

    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    book = Workbook()
    book.active.append(sheets.headers())
    for n in range(50):
        book.active.append([n])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    read = []
    real = sheets.itertools.islice if hasattr(sheets, "itertools") else None
    assert real is not None  # the import stops reading after MAX_ROWS + 2 rows

    def counting(iterable, n):
        def gen():
            for row in iterable:
                read.append(row)
                yield row
        return real(gen(), n)

    monkeypatch.setattr(sheets.itertools, "islice", counting)
    with pytest.raises(ValidationFailed, match="一次最多导入 3 行"):
        sheets.import_progress(out, actor=crew.contact)
    assert len(read) <= 3 + 2
