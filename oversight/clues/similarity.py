"""The similar-clue hint: character-bigram Jaccard similarity — pure functions, no database.

Chinese text has no spaces, so words are approximated by overlapping pairs of characters; punctuation
and spaces are dropped first. Two descriptions of the same polluted river share most of their bigrams.
"""
from __future__ import annotations

import unicodedata

HINT_THRESHOLD = 0.2


def bigrams(text: str | None) -> frozenset[str]:
    chars = [c.lower() for c in (text or "")
             if not unicodedata.category(c).startswith(("P", "Z", "C", "S"))]
    if len(chars) < 2:
        return frozenset(chars)
    return frozenset(a + b for a, b in zip(chars, chars[1:]))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def rank(subject: str, candidates, *, threshold: float = HINT_THRESHOLD, top: int = 5):
    """The `top` candidates (objects with `.id` and a `text` given as (obj, text) pairs) most similar
    to `subject`, at or above `threshold`, as [(obj, score)] best first."""
    mine = bigrams(subject)
    scored = [(obj, jaccard(mine, bigrams(text))) for obj, text in candidates]
    scored = [(obj, score) for obj, score in scored if score >= threshold]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].id))
    return scored[:top]
