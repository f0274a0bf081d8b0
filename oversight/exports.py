"""Shared helpers for the files users download (CSV, XLSX)."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value a spreadsheet must not run as a formula: text starting with = + - @ or a tab/CR gets a
    leading apostrophe; anything that is not text (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def ensure_allowed() -> None:
    """Refuse to build a file while the emergency lock (熔断) is on: raises `lockdown.LockedDown`, which the app
    answers with 503 and the notice. Export endpoints are also stopped centrally (see `oversight.lockdown`);
    code that builds files outside a request (a job, the CLI) calls this itself."""
    from .lockdown import ensure_unlocked

    ensure_unlocked()


__all__ = ["ensure_allowed", "safe_cell"]
