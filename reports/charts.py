"""The one chart module: server-side SVG from a statistics table, for web pages and PDFs alike.

matplotlib with the Noto CJK font and `svg.fonttype = none` writes real, searchable text that
WeasyPrint embeds with the page's font (STACK.md). Every chart stands beside its table, which is
the accessible version of the same numbers; the SVG says so in its title.
"""
from __future__ import annotations

import io
import itertools
import re
import threading

from flask_babel import gettext as _

from .statistics.figures import Rate, Table

FONT = "Noto Sans CJK SC"
RC = {"font.family": [FONT], "font.size": 9, "axes.unicode_minus": False, "svg.fonttype": "none",
      # Names are text, not TeX: "$…$" in a label must not go through mathtext (it may not even parse).
      "text.parse_math": False,
      "svg.hashsalt": "oversight", "axes.spines.top": False, "axes.spines.right": False}
COLOUR = "#2f5d8a"
_lock = threading.Lock()      # pyplot keeps global state; charts are drawn one at a time
_counter = itertools.count(1)


def _number(value) -> float | None:
    if isinstance(value, Rate):
        return value.percent
    if isinstance(value, (int, float)):
        return float(value)
    return None


def chart_column(table: Table) -> int:
    """Which value column a table's chart draws: the first, or for rate tables the first rate."""
    if table.chart == "rate":
        for row in table.rows:
            for i, value in enumerate(row.values):
                if isinstance(value, Rate):
                    return i
    return 0


def table_chart(table: Table) -> str | None:
    """An SVG bar chart of `table` (None when it has no chart or nothing to draw)."""
    if not table.chart or not table.rows:
        return None
    column = chart_column(table)
    labels = [row.label for row in table.rows]
    values = [_number(row.values[column]) for row in table.rows]
    if not any(v for v in values if v is not None):
        return None
    is_rate = table.chart == "rate"
    title = table.title + (f" · {table.columns[column]}" if is_rate else "")
    return bar_chart(title, labels, values, percent=is_rate)


def bar_chart(title: str, labels: list[str], values: list[float | None], *, percent: bool = False) -> str:
    """A horizontal bar chart as an inline <svg> element; a None value is written as 样本不足."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    with _lock, matplotlib.rc_context(RC):
        height = 0.9 + 0.32 * len(labels)
        fig, ax = plt.subplots(figsize=(6.2, height))
        try:
            positions = list(range(len(labels)))[::-1]
            ax.barh(positions, [v or 0 for v in values], color=COLOUR, height=0.6)
            ax.set_yticks(positions, labels)
            top = 100 if percent else max(v or 0 for v in values) or 1
            ax.set_xlim(0, top * 1.15)
            if not percent:
                from matplotlib.ticker import MaxNLocator

                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            for pos, value in zip(positions, values):
                text = _("样本不足") if value is None else (f"{value:.1f}%" if percent else f"{value:g}")
                ax.text((value or 0) + top * 0.01, pos, text, va="center", fontsize=8)
            ax.set_title(title, fontsize=10, loc="left")
            fig.tight_layout()
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return _inline(buffer.getvalue(), title)


def _attributes(match: re.Match) -> str:
    """style="fill: #fff; font-family: 'X'" → fill="#fff" font-family="X": presentation attributes
    survive the site's Content-Security-Policy (no inline styles) and WeasyPrint reads them."""
    pairs = [part.split(":", 1) for part in match.group(1).split(";") if ":" in part]
    return " ".join(f'{name.strip()}="{value.strip().replace(chr(39), "")}"' for name, value in pairs)


def _inline(svg: str, title: str) -> str:
    """Drop the XML prologue and the style sheet, turn inline styles into attributes, make ids unique
    on the page, add a role and a label for screen readers."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'style="([^"]*)"', _attributes, svg)
    prefix = f"c{next(_counter)}-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    label = _("图表：%(t)s（数据见旁边的表格）", t=title).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)
    return svg
