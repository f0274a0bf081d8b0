"""Statutory holidays computed for a year the official notice has not yet covered.

《全国年节及纪念日放假办法》(2024 revision, in force 2025), Art. 2: 元旦 1 day; 春节 4 days (除夕 to
初三); 清明 the solar-term day; 劳动节 5/1–5/2; 端午 and 中秋 their lunar days; 国庆 10/1–10/3.
Art. 6: a holiday falling on a Saturday or Sunday is made up on a working day (补假) — we take the
next weekday that is not itself a holiday. Make-up *workdays* (调休上班) exist only by notice, so none
are computed. Lunar dates and solar terms come from lunar-python, never from a hand-made table.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar, Solar


def _lunar(year: int, month: int, day: int) -> dt.date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> dt.date:
    s = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Every day off in `year` under the statute, with its Chinese name, including 补假 days."""
    days: dict[dt.date, str] = {}

    def add(day: dt.date, name: str) -> None:
        if day.year == year:
            days[day] = name

    add(dt.date(year, 1, 1), "元旦")
    new_year = _lunar(year, 1, 1)
    for offset in range(-1, 3):  # 除夕, 初一, 初二, 初三
        add(new_year + dt.timedelta(days=offset), "春节")
    add(_qingming(year), "清明节")
    add(dt.date(year, 5, 1), "劳动节")
    add(dt.date(year, 5, 2), "劳动节")
    add(_lunar(year, 5, 5), "端午节")
    add(_lunar(year, 8, 15), "中秋节")
    for d in (1, 2, 3):
        add(dt.date(year, 10, d), "国庆节")
    # 中秋 may fall inside 国庆; a day counts once either way.
    for day, name in sorted(days.items()):
        if day.weekday() >= 5:
            makeup = day + dt.timedelta(days=1)
            while makeup.weekday() >= 5 or makeup in days:
                makeup += dt.timedelta(days=1)
            add(makeup, f"{name}（补假）")
    return days
