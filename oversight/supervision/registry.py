"""The code half of a model: registered functions `fn(ctx, params, period) -> list[Hit]`, with their
parameters (defaults and bounds), default schedule and code version.

A deployment may only run functions registered here; an imported model naming anything else is refused.
Built-in functions live one per module in `builtins/` and register themselves on import.
"""
from __future__ import annotations

import calendar
import datetime as dt
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..errors import ValidationFailed
from .workflow import Severity

BUILTIN_MODULES = ["dissatisfied", "overdue", "rectification", "governance", "clue_hotspots", "clue_duplicates"]


@dataclass(frozen=True)
class Param:
    name: str
    label: object                 # a lazy Chinese label
    default: int | float
    minimum: int | float
    maximum: int | float
    kind: type = int              # int or float

    def coerce(self, value) -> int | float:
        """The value as this parameter's type within its bounds, or a Chinese ValidationFailed."""
        try:
            number = self.kind(str(value).strip()) if not isinstance(value, (int, float)) else self.kind(value)
        except (TypeError, ValueError):
            raise ValidationFailed(_("参数“%(p)s”须为数字。", p=str(self.label)), field=self.name) from None
        if isinstance(value, float) and self.kind is int and value != int(value):
            raise ValidationFailed(_("参数“%(p)s”须为整数。", p=str(self.label)), field=self.name)
        if not self.minimum <= number <= self.maximum:
            raise ValidationFailed(_("参数“%(p)s”须在 %(lo)s 至 %(hi)s 之间，收到 %(v)s。", p=str(self.label),
                                     lo=self.minimum, hi=self.maximum, v=value), field=self.name)
        return number


@dataclass(frozen=True)
class Evidence:
    """One linked record: kind is referral / rectification_item / clue / topic / organisation."""
    kind: str
    id: int
    label: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label[:200]}


@dataclass
class Hit:
    key: str                      # stable across runs: what this hit is about (e.g. "unit:12")
    title: str
    evidence: list[Evidence]
    severity: Severity = Severity.MEDIUM
    detail: str = ""
    # The NPC standing committee responsible for the evidence (builtins/_common.Scopes works it out).
    scope_org_id: int | None = None


@dataclass(frozen=True)
class Period:
    """The day a run looks from: "YYYY-MM-DD", or "YYYY-MM" meaning the month's last day."""
    key: str
    as_of: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return cls(text, dt.date.fromisoformat(text))
            if re.fullmatch(r"\d{4}-\d{2}", text):
                year, month = map(int, text.split("-"))
                return cls(text, dt.date(year, month, calendar.monthrange(year, month)[1]))
        except ValueError:
            pass
        raise ValidationFailed(_("期间“%(p)s”无效，请写作 2026-11-30（日）或 2026-11（月）。", p=text), field="period")

    def start_of_day(self) -> dt.datetime:
        return dt.datetime.combine(self.as_of, dt.time(), tzinfo=dt.timezone.utc)

    def end(self) -> dt.datetime:
        """The end of `as_of` (UTC midnight after it: a model sees what existed by then)."""
        return self.start_of_day() + dt.timedelta(days=1)


@dataclass
class Context:
    """What a model function gets besides its parameters: the session to read with."""
    session: object


@dataclass(frozen=True)
class ModelFunction:
    key: str
    fn: Callable[[Context, dict, Period], list[Hit]]
    name: object
    purpose: object
    legal_basis: object
    params: tuple[Param, ...]
    cron: str = "30 2 * * *"
    code_version: str = "1"
    needs_tables: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def validate(self, values: dict) -> dict:
        """Every parameter coerced and within bounds (missing ones take their default); unknown names refused."""
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            raise ValidationFailed(_("模型没有参数：%(n)s。", n="、".join(unknown)), field=unknown[0])
        errors, clean = {}, {}
        for p in self.params:
            try:
                clean[p.name] = p.coerce(values.get(p.name, p.default))
            except ValidationFailed as exc:
                errors.update(exc.errors)
        if errors:
            raise ValidationFailed(errors)
        return clean


FUNCTIONS: dict[str, ModelFunction] = {}


def register(key: str, *, name, purpose, legal_basis, params=(), cron: str = "30 2 * * *", code_version: str = "1",
             needs_tables=()):
    """Decorator: register `fn` as the model function `key`."""
    def wrap(fn):
        FUNCTIONS[key] = ModelFunction(key, fn, name, purpose, legal_basis, tuple(params), cron, code_version,
                                       tuple(needs_tables))
        return fn
    return wrap


def load_builtins() -> None:
    for name in BUILTIN_MODULES:
        importlib.import_module(f"{__package__}.builtins.{name}")


def get(key: str) -> ModelFunction | None:
    load_builtins()
    return FUNCTIONS.get(key)


def all_functions() -> list[ModelFunction]:
    load_builtins()
    return list(FUNCTIONS.values())

