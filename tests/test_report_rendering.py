"""The monthly report: the PDF's extracted text and the workbook hold exactly the figures computed
independently from the raw rows; the CJK font is embedded; cover, contents, page numbers, header."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from reports import definitions, rendering
from reports.statistics import Period
from oversight.db import utcnow
from tests.report_data import (expected, expected_meetings, expected_rectification, seed_meetings,
                               seed_rectification, seed_referrals)
from tests.test_pdf import text_and_fonts

NOV = Period.parse("month", "2026-11")


@pytest.fixture
def monthly(app, world):
    seed_referrals(world, start=NOV.start, days=30, count=120, seed=11)
    seed_rectification(world, start=NOV.start, days=30, count=90, seed=3)
    seed_meetings(world, start=NOV.start, days=30, count=40, seed=4)
    definition = definitions.get("monthly")
    with app.test_request_context():
        data = definition.data(NOV, world.npc)
        return SimpleResult(rendering.pdf(definition, NOV, data), rendering.xlsx(definition, NOV, data), data)


class SimpleResult:
    def __init__(self, pdf, xlsx, data):
        self.pdf, self.xlsx, self.data = pdf, xlsx, data


def _rows(want):
    """(label, expected cells) of the overview and step tables, from the independent computation."""
    n = lambda key: "{}/{}".format(*want[key + "_n"])  # noqa: E731
    return [
        ("移送/报送件数", [str(want["sent"])]),
        ("签收及时率", [want["ack"], n("ack")]),
        ("程序性答复及时率", [want["procedural"], n("procedural")]),
        ("答复及时率", [want["result"], n("result")]),
        ("期末逾期件数", [str(want["overdue"])]),
    ] + [(label, [str(want["days_" + key][2]), want["days_" + key][0], want["days_" + key][1]])
         for label, key in (("签收", "ack"), ("受理", "accept"), ("办理", "handle"))]


def _other_rows():
    """(label, expected cells) of the rectification and meeting sections, from the raw rows."""
    rect = expected_rectification(NOV.start, NOV.end)
    meet = expected_meetings(NOV.start, NOV.end, utcnow())
    n = lambda want, key: "{}/{}".format(*want[key + "_n"])  # noqa: E731
    assert rect["due"] >= 10 and meet["due"] >= 10 and meet["meetings"] >= 10  # enough to give rates
    return [
        ("本期到期整改事项", [str(rect["due"])]),
        ("整改完成率", [rect["completion"], n(rect, "completion")]),
        ("按期销号率", [rect["signoff"], n(rect, "signoff")]),
        ("整改逾期率", [rect["overdue_rate"], n(rect, "overdue_rate")]),
        ("期末逾期整改事项", [str(rect["overdue"])]),
        ("本期会议次数", [str(meet["meetings"])]),
        ("会议召开率", [meet["held"], n(meet, "held")]),
        ("本期到期待办事项", [str(meet["due"])]),
        ("待办完成率", [meet["completion"], n(meet, "completion")]),
        ("待办按期完成率", [meet["on_time"], n(meet, "on_time")]),
        ("期末逾期待办事项", [str(meet["overdue"])]),
    ]


def test_pdf_text_holds_exactly_the_independently_computed_figures(monthly, tmp_path):
    want = expected(NOV.start, NOV.end)
    text, fonts = text_and_fonts(tmp_path, monthly.pdf)
    lines = [line.split() for line in text.splitlines() if line.strip()]
    for label, cells in _rows(want) + _other_rows():
        found = [line for line in lines if line and line[0] == label]
        assert found, label
        assert found[0][1:1 + len(cells)] == cells, (label, found[0])
    for label in ("满意率", "满意（单列）", "重新办理率"):
        key = {"满意率": "satisfaction", "满意（单列）": "satisfied_only", "重新办理率": "rehandling"}[label]
        assert [line for line in lines if line and line[0] == label][0][1] == want[key]
    # Counts by state: every state with items, and its count.
    by_state = {state: count for state, count in want["by_state"].items()}
    from oversight.referrals import labels
    from oversight.referrals.workflow import State
    for state, count in by_state.items():
        rows = [line for line in lines if line[:2] == [labels.state(State(state)), str(count)]]
        assert rows, (state, count)
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line.replace("-", "")]
    assert cjk and all(" yes " in line for line in cjk), fonts


def test_pdf_has_cover_contents_header_and_page_numbers(monthly, tmp_path):
    text, _fonts = text_and_fonts(tmp_path, monthly.pdf)
    compact = "".join(text.split())
    assert "月度统计报告" in compact and "2026年11月" in compact and "内部资料注意保密" in compact
    pages = text.split("\f")
    assert len(pages) >= 4
    assert "目录" in pages[1] and re.search(r"按类型\s*\.{3,}\s*\d+", pages[1]), pages[1]
    assert re.search(r"第2页/共\d+页", "".join(pages[1].split()))
    assert "第1页" not in "".join(pages[0].split())  # the cover carries no page number


def test_xlsx_holds_the_same_figures(monthly):
    want = expected(NOV.start, NOV.end)
    book = load_workbook(io.BytesIO(monthly.xlsx))
    sheet = book["移送事项"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0]}

    def shown(value, rate, decimal=False):
        if decimal and isinstance(value, (int, float)):
            return f"{value:.1f}"
        if isinstance(value, float):
            return f"{value * 100:.1f}%" if rate else f"{value:.1f}"
        return str(value)

    for label, cells in _rows(want):
        step = label in ("签收", "受理", "办理")
        got = [shown(v, label.endswith("率"), step and i > 0) for i, v in enumerate(rows[label][:len(cells)])]
        assert got == cells, label
    assert shown(rows["满意率"][0], True) == want["satisfaction"]
    other = dict(_other_rows())
    for sheet_name in ("整改落实", "联络会议与待办事项"):
        rows = {r[0]: r[1:] for r in book[sheet_name].iter_rows(values_only=True) if r and r[0]}
        for label, cells in list(other.items()):
            if label in rows:
                got = [shown(v, label.endswith("率")) for v in rows[label][:len(cells)]]
                assert got == cells, label
                del other[label]
    assert not other, other  # every figure was found in its sheet
    assert "指标口径" in book.sheetnames
