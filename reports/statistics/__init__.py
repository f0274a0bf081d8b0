"""The one statistics service: figures for a period and a scope, as sections of tables.

Sections come from a registry: referrals, rectification items (issues/) and liaison meetings with
their action items (liaison/) are built in; other packages add theirs with `register_section`, and
every dashboard, PDF and workbook shows them without further changes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .figures import DEFINITIONS, Duration, Rate, Row, Section, Table, definition, min_sample
from .periods import Period, PeriodKind
from .scope import Scope

SectionFunction = Callable[[Period, Scope], Section | None]
_SECTIONS: list[tuple[str, SectionFunction]] = []


def register_section(key: str, compute: SectionFunction) -> None:
    """Add (or replace) a section. `compute(period, scope)` returns a Section, or None to leave it out."""
    global _SECTIONS
    _SECTIONS = [(k, f) for k, f in _SECTIONS if k != key] + [(key, compute)]


def section_keys() -> list[str]:
    _ensure_builtin()
    return [k for k, _f in _SECTIONS]


@dataclass
class Statistics:
    period: Period
    scope: Scope
    sections: list[Section]

    def table(self, key: str) -> Table | None:
        return next((t for s in self.sections for t in s.tables if t.key == key), None)


def compute(period: Period, scope: Scope, *, only: list[str] | None = None) -> Statistics:
    """Every registered section (or those named in `only`) for `period` within `scope`. Read-only."""
    _ensure_builtin()
    sections = [section for key, f in _SECTIONS if only is None or key in only
                if (section := f(period, scope)) is not None]
    return Statistics(period, scope, sections)


def _ensure_builtin() -> None:
    """The built-in sections, in this order, before any registered later: referrals, rectification
    (issues/), meetings and action items (liaison/). Reports may read every package."""
    if not any(k == "referrals" for k, _f in _SECTIONS):
        from .meetings import meeting_section
        from .rectification import rectification_section
        from .referrals import referral_section

        builtin = [("referrals", referral_section), ("rectification", rectification_section),
                   ("meetings", meeting_section)]
        keys = {k for k, _f in builtin}
        _SECTIONS[:] = builtin + [(k, f) for k, f in _SECTIONS if k not in keys]


__all__ = ["DEFINITIONS", "Duration", "Period", "PeriodKind", "Rate", "Row", "Scope", "Section", "Statistics",
           "Table", "compute", "definition", "min_sample", "register_section", "section_keys"]
