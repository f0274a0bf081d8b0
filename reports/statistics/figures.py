"""The building blocks every statistic is made of, and the published definition of each figure.

A `Rate` or `Duration` computed from fewer items than `REPORTS_MIN_SAMPLE` has no value: it shows as
“样本不足” and is never ranked. A `Table` is what pages, PDFs and workbooks all render, so one
computation feeds them all; each row may name its figure (for the definition beside it) and carry a
drill-down link to the list behind it.
"""
from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from flask_babel import gettext as _, lazy_gettext as _l

DEFAULT_MIN_SAMPLE = 5


def min_sample() -> int:
    if has_app_context():
        return int(current_app.config.get("REPORTS_MIN_SAMPLE", DEFAULT_MIN_SAMPLE))
    return DEFAULT_MIN_SAMPLE


def insufficient_text() -> str:
    return _("样本不足")


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    minimum: int

    @property
    def sufficient(self) -> bool:
        return self.denominator > 0 and self.denominator >= self.minimum

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.sufficient else None

    @property
    def percent(self) -> float | None:
        """The rate in percent, rounded to one decimal — the figure every rendering shows."""
        return None if self.value is None else round(self.value * 100, 1)

    def __str__(self) -> str:
        return insufficient_text() if self.percent is None else f"{self.percent:.1f}%"

    @property
    def detail(self) -> str:
        return f"{self.numerator}/{self.denominator}"


@dataclass(frozen=True)
class Duration:
    """Working days per item of one step: count, mean and median (one decimal)."""

    days: tuple[int, ...]
    minimum: int

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def sufficient(self) -> bool:
        return self.count > 0 and self.count >= self.minimum

    @property
    def mean(self) -> float | None:
        return round(sum(self.days) / self.count, 1) if self.sufficient else None

    @property
    def median(self) -> float | None:
        return round(float(pystats.median(self.days)), 1) if self.sufficient else None


def fmt(value) -> str:
    """A cell as text — the same in HTML, PDF and (for text cells) XLSX."""
    if value is None:
        return insufficient_text()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@dataclass
class Row:
    label: str
    values: list
    href: str | None = None       # drill-down: the filtered referral list behind the row
    figure: str | None = None     # key into DEFINITIONS


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]            # after the label column
    rows: list[Row] = field(default_factory=list)
    label_column: str = ""
    chart: str | None = None      # "bar" / "rate": the chart module draws this table (first value column)


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    note: str = ""


# --- published definitions (DOMAIN.md §8), shown beside every figure --------------------------------

DEFINITIONS = {
    "count_sent": (_l("移送/报送件数"), _l("本期内发出（移送或报送）的事项件数，以发出时间（北京时间）计；草稿不计。")),
    "count_state": (_l("当前状态"), _l("本期发出的事项按其当前状态分组计数。")),
    "on_time_ack": (_l("签收及时率"), _l("本期内完成签收的事项中，签收日期不晚于签收期限的件数 ÷ 本期内完成签收的件数。")),
    "on_time_procedural": (_l("程序性答复及时率"), _l(
        "本期内作出程序性答复（受理）的事项中，答复日期不晚于程序性答复期限的件数 ÷ 本期内作出程序性答复的件数。")),
    "on_time_result": (_l("答复及时率"), _l(
        "本期内答复办理结果的事项中，答复日期不晚于（延期后的）办理期限的件数 ÷ 本期内答复的件数。")),
    "satisfaction": (_l("满意率"), _l("本期内评价的事项中（满意 + 基本满意）÷ 已评价件数；未反馈的不计入。满意单列于旁。")),
    "satisfied_only": (_l("满意（单列）"), _l("本期内评价为满意的件数 ÷ 已评价件数。")),
    "rehandling": (_l("重新办理率"), _l("本期内评价的事项中，至少重新办理过一次的件数 ÷ 已评价件数。")),
    "overdue": (_l("期末逾期件数"), _l(
        "发出于期末之前、在期末仍未签收或未答复且相应期限早于期末的事项件数；已撤回、已退回的不计。")),
    "working_days": (_l("环节用时（工作日）"), _l(
        "本期内完成该环节的事项，自上一环节完成之日起至本环节完成之日止的工作日数（不含起始日，按法定节假日和调休计），取平均数与中位数。")),
    "evaluation_counts": (_l("评价结果"), _l("本期内评价的事项按满意、基本满意、不满意计数；未反馈单列，不计入满意率。")),
    "rect_due": (_l("本期到期整改事项"), _l("已印发的整改清单中，整改期限（含批准的延期）在本期内的整改事项件数。")),
    "rect_completion": (_l("整改完成率"), _l("本期到期的整改事项中，期末前已销号的件数 ÷ 本期到期的件数。")),
    "rect_signoff": (_l("按期销号率"), _l("本期内销号的整改事项中，销号日期（北京时间）不晚于整改期限的件数 ÷ 本期内销号的件数。")),
    "rect_overdue_rate": (_l("整改逾期率"), _l(
        "整改期限早于期末、且在本期开始时尚未销号的整改事项中，期末仍未销号的件数 ÷ 这些事项的件数。")),
    "rect_overdue": (_l("期末逾期整改事项"), _l("整改期限早于期末、期末仍未销号的整改事项件数；重新整改的事项按未销号计。")),
    "meetings_count": (_l("本期会议次数"), _l("开始时间在本期内的联络会议件数（含已取消），按会议类型分列。")),
    "meetings_held": (_l("会议召开率"), _l("开始时间在本期内且已到开始时间、未取消的会议中，已确认召开的次数 ÷ 这些会议的次数。")),
    "action_due": (_l("本期到期待办事项"), _l("会议纪要议定的待办事项中，期限在本期内的件数；期末前已撤销的不计。")),
    "action_completion": (_l("待办完成率"), _l("本期到期的待办事项中，期末前已完成的件数 ÷ 本期到期的件数（期末前撤销的不计）。")),
    "action_on_time": (_l("待办按期完成率"), _l("本期内完成的待办事项中，完成日期不晚于期限的件数 ÷ 本期内完成的件数。")),
    "action_overdue": (_l("期末逾期待办事项"), _l("期限早于期末、期末仍未完成的待办事项件数；期末前撤销的不计。")),
}


def definition(key: str | None) -> tuple[str, str] | None:
    if not key or key not in DEFINITIONS:
        return None
    label, text = DEFINITIONS[key]
    return str(label), str(text)


def sample_note() -> str:
    return _("少于 %(n)d 件的比率和用时显示为“样本不足”，不参与排序。", n=min_sample())
