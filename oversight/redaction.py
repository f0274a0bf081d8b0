"""The redaction check run before anything is published (DOMAIN.md §7, DOMAIN-RESEARCH §7.3).

Pure functions, no Flask or database: `find_hits(text, private_names)` finds personal information —
resident ID-card numbers (18 digits whose check digit is valid), mobile and landline numbers, e-mail
addresses, bank-card numbers (16–19 digits passing Luhn) and the names of private persons linked to the
source records — and `mask(text, hits)` replaces each hit the way procuratorial disclosure practice does
(names keep the surname: 张某; numbers keep a few digits: 1380****000).
A number is only a hit as a whole: digits inside a longer run of digits are never taken for a phone or card.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

ID_CARD, MOBILE, LANDLINE, EMAIL, BANK_CARD, NAME = "id_card", "mobile", "landline", "email", "bank_card", "name"

KIND_LABELS = {
    ID_CARD: _l("身份证号"),
    MOBILE: _l("手机号码"),
    LANDLINE: _l("固定电话"),
    EMAIL: _l("电子邮箱"),
    BANK_CARD: _l("银行卡号"),
    NAME: _l("自然人姓名"),
}

# When two patterns overlap, the earlier kind wins (an 18-digit ID number may also pass Luhn).
PRIORITY = [ID_CARD, BANK_CARD, MOBILE, LANDLINE, EMAIL, NAME]


@dataclass(frozen=True, order=True)
class Hit:
    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def replacement(self) -> str:
        return mask_value(self.kind, self.text)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_PATTERNS = {
    ID_CARD: re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    # 13800138000, 138-0013-8000, 138 0013 8000, optionally after +86 / 86-.
    MOBILE: re.compile(r"(?<![\d+])(?:(?:\+?86)[- ]?)?(1[3-9]\d(?:\d{8}|[- ]\d{4}[- ]\d{4}))(?![\d])"),
    # 023-68881234, 023 6888 1234, (023)68881234, 0755-1234567, with an optional extension -123.
    LANDLINE: re.compile(r"(?<![\d(（])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[- ])\d{3,4}[- ]?\d{4}(?:[-转]\d{1,5})?(?![\d])"),
    EMAIL: re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])", re.ASCII),
    # 16–19 digits in one run, or in groups of four separated by single spaces or hyphens.
    BANK_CARD: re.compile(r"(?<![\d])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)(?![\d])"),
}


def id_check_digit_ok(number: str) -> bool:
    """The GB 11643 check digit (ISO 7064 MOD 11-2) of an 18-character ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _candidates(text: str, private_names) -> list[Hit]:
    found: list[Hit] = []
    for m in _PATTERNS[ID_CARD].finditer(text):
        if id_check_digit_ok(m.group()):
            found.append(Hit(m.start(), m.end(), ID_CARD, m.group()))
    for m in _PATTERNS[BANK_CARD].finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 16 <= len(digits) <= 19 and luhn_ok(digits):
            found.append(Hit(m.start(), m.end(), BANK_CARD, m.group()))
    for m in _PATTERNS[MOBILE].finditer(text):
        found.append(Hit(m.start(), m.end(), MOBILE, m.group()))
    for m in _PATTERNS[LANDLINE].finditer(text):
        found.append(Hit(m.start(), m.end(), LANDLINE, m.group()))
    for m in _PATTERNS[EMAIL].finditer(text):
        found.append(Hit(m.start(), m.end(), EMAIL, m.group()))
    names = sorted({(n or "").strip() for n in private_names if n and len(n.strip()) >= 2}, key=len, reverse=True)
    for name in names:
        for m in re.finditer(re.escape(name), text):
            found.append(Hit(m.start(), m.end(), NAME, m.group()))
    return found


def find_hits(text: str | None, private_names=()) -> list[Hit]:
    """Every piece of personal information in `text`, in reading order, never overlapping."""
    if not text:
        return []
    chosen: list[Hit] = []
    for hit in sorted(_candidates(text, private_names), key=lambda h: (PRIORITY.index(h.kind), h.start, -h.end)):
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen)


_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "长孙", "宇文")


def mask_name(name: str) -> str:
    """Keep the surname, replace the given name with 某 (张三 → 张某, 欧阳明月 → 欧阳某)."""
    surname = name[:2] if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return surname + "某"


def mask_value(kind: str, value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if kind == NAME:
        return mask_name(value)
    if kind == MOBILE:
        local = digits[-11:]
        return local[:4] + "****" + local[-3:]
    if kind == ID_CARD:
        return value[:6] + "*" * 12
    if kind == BANK_CARD:
        return "*" * (len(digits) - 4) + digits[-4:]
    if kind == LANDLINE:
        m = re.match(r"\D*(0\d{2,3})", value)
        area = m.group(1) if m and len(digits) > 9 else digits[:3]
        return area + "-" + "*" * 4 + digits[-2:]
    if kind == EMAIL:
        local, _, domain = value.partition("@")
        return local[:1] + "***@" + domain
    return "*" * len(value)


def mask(text: str, hits) -> str:
    """`text` with each given hit replaced by its masked form (hits as returned by `find_hits`)."""
    out, pos = [], 0
    for hit in sorted(hits):
        if hit.start < pos or text[hit.start:hit.end] != hit.text:
            continue  # stale or overlapping: leave the text as it is there
        out.append(text[pos:hit.start])
        out.append(hit.replacement)
        pos = hit.end
    out.append(text[pos:])
    return "".join(out)


def mask_all(text: str | None, private_names=()) -> str:
    """Every hit masked: the last line of defence for text that goes out without a reviewer's eyes."""
    if not text:
        return text or ""
    return mask(text, find_hits(text, private_names))
