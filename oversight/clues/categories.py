"""The fixed list of clue categories: code → Chinese label (lazy, so the UI language applies)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "public_interest": _l("公益诉讼（生态环境、食品药品安全等）"),
    "judicial_conduct": _l("司法人员违法违纪"),
    "case_handling": _l("案件办理（立案、侦查、审判、执行监督）"),
    "minors": _l("未成年人保护"),
    "administrative": _l("行政违法行为监督"),
    "other": _l("其他"),
}


def label(code: str) -> str:
    return str(CATEGORIES.get(code, code))


def choices() -> list[tuple[str, str]]:
    return [(code, str(text)) for code, text in CATEGORIES.items()]
