"""Shared helpers for the files users download (CSV, XLSX)."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value a spreadsheet must not run as a formula: text starting with = + - @ or a tab/CR gets a
    leading apostrophe; anything that is not text (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


__all__ = ["safe_cell"]
