"""Near-duplicate Chinese texts: character n-gram shingles, MinHash signatures, LSH banding, then the
exact Jaccard similarity of every candidate pair. Pure functions over (id, text) pairs, no service.

Signatures are computed a batch at a time with numpy (multiply-shift hashing on uint64) and only the
band keys are kept, so a million texts need ~8 bytes × bands each, not their shingle sets; candidates
come from sorting each band's keys, and only they have their texts read again to be verified.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

NGRAM = 2             # Chinese words are mostly two characters: bigrams survive rephrasing best
PERMUTATIONS = 120
BANDS = 30            # 30 bands × 4 rows: a pair at Jaccard 0.5 is a candidate with p ≈ 0.86, at 0.6 with
                      # p ≈ 0.985, at 0.7 with p ≈ 0.999, at 0.2 with p ≈ 0.05. Three rows a band (60 × 20) found
                      # more at 0.5 but let shared place names and set phrases make ~10× more candidates,
                      # growing with the square of the clue count (benchmarks/results.md).
_MASK32 = np.uint64(0xFFFFFFFF)
# Drop what rephrasing changes without changing the matter: punctuation, spaces, ASCII case.
_NOISE = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65!-/:-@\[-`{-~]+")


def normalise(text: str) -> str:
    return _NOISE.sub("", (text or "").lower())


def shingles(text: str, n: int = NGRAM) -> set[str]:
    """The text's character n-grams (the whole text if it is shorter)."""
    t = normalise(text)
    if len(t) <= n:
        return {t} if t else set()
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Hasher:
    permutations: int = PERMUTATIONS
    bands: int = BANDS
    seed: int = 20261130

    def __post_init__(self):
        if self.permutations % self.bands:
            raise ValueError("permutations must be a multiple of bands")

    def coefficients(self):
        rng = np.random.default_rng(self.seed)
        a = rng.integers(1, 2**63 - 1, size=self.permutations, dtype=np.uint64) | np.uint64(1)
        b = rng.integers(0, 2**63 - 1, size=self.permutations, dtype=np.uint64)
        return a, b

    def band_keys(self, texts: Sequence[str], n: int = NGRAM) -> np.ndarray:
        """uint64 array (len(texts), bands): one key per band of each text's MinHash signature. Texts
        without any character get unique keys (they match nothing).

        Vectorised over the whole batch: an n-gram (n ≤ 3) is its code points packed into one integer
        (21 bits each), so the grams need no hashing in Python; repeats inside a text do not change a
        minimum, so no set is built either."""
        if not 1 <= n <= 3:
            raise ValueError("n must be 1, 2 or 3")
        a, b = self.coefficients()
        norm = [normalise(t) for t in texts]
        lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=len(norm))
        keys = np.empty((len(texts), self.bands), dtype=np.uint64)
        unique = np.arange(len(texts), dtype=np.uint64)[:, None] | np.uint64(1 << 63)
        if not lengths.sum():
            keys[:] = unique
            return keys
        cps = np.frombuffer("".join(norm).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        # A gram starts at every position that leaves n characters in its text (or at a shorter text's start).
        gram_counts = np.where(lengths >= n, lengths - n + 1, np.minimum(lengths, 1))
        doc = np.repeat(np.arange(len(norm)), gram_counts)
        pos = np.arange(gram_counts.sum()) - np.repeat(np.cumsum(gram_counts) - gram_counts, gram_counts) \
            + np.repeat(starts, gram_counts)
        x = np.zeros(len(pos), dtype=np.uint64)
        for k in range(n):
            inside = pos + k < ends[doc]
            x[inside] |= cps[(pos + k)[inside]] << np.uint64(21 * k)
        has = gram_counts > 0
        first = (np.cumsum(gram_counts) - gram_counts)[has]
        rows = self.permutations // self.bands
        sig = np.zeros((len(texts), self.permutations), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for i in range(self.permutations):  # multiply-shift: the high 32 bits of a·x + b (mod 2^64)
                sig[has, i] = np.minimum.reduceat((a[i] * x + b[i]) >> np.uint64(32), first)
            for band in range(self.bands):
                key = np.full(len(texts), np.uint64(1469598103934665603), dtype=np.uint64)
                for col in range(band * rows, (band + 1) * rows):
                    key = (key ^ sig[:, col]) * np.uint64(1099511628211)
                keys[:, band] = key
        keys[~has] = unique[~has]
        return keys


def candidate_pairs(ids: np.ndarray, keys: np.ndarray, *, max_bucket: int = 50) -> set[tuple[int, int]]:
    """Pairs of ids sharing a band key in any band (id_a < id_b). A bucket larger than `max_bucket` is
    skipped: so many texts agreeing on a band means shared boilerplate (place names, set phrases), not
    one matter; true duplicates still meet in their other bands. This keeps the work linear."""
    pairs: set[tuple[int, int]] = set()
    ids = np.asarray(ids, dtype=np.int64)
    for band in range(keys.shape[1]):
        col = keys[:, band]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        same = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        # Runs of equal keys: starts where a run begins.
        edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
        for start, stop in zip(edges[::2], edges[1::2] + 1):
            if stop - start > max_bucket:
                continue
            members = sorted(int(i) for i in ids[order[start:stop]])
            for i, first in enumerate(members):
                for second in members[i + 1:]:
                    pairs.add((first, second))
    return pairs


def verify(pairs: Iterable[tuple[int, int]], text_of: Callable[[int], str], threshold: float,
           n: int = NGRAM) -> list[tuple[int, int, float]]:
    """The candidate pairs whose exact n-gram Jaccard similarity reaches `threshold`, sorted. Pairs are
    taken in order, so only the current first member's n-grams are kept: memory stays flat."""
    found, current, current_grams = [], None, set()
    for x, y in sorted(pairs):
        if x != current:
            current, current_grams = x, shingles(text_of(x), n)
        s = jaccard(current_grams, shingles(text_of(y), n))
        if s >= threshold:
            found.append((x, y, round(s, 3)))
    return found


def near_duplicates(items: Iterable[tuple[int, str]], *, threshold: float = 0.5, n: int = NGRAM,
                    hasher: Hasher | None = None, batch: int = 10_000) -> list[tuple[int, int, float]]:
    """Every pair (id_a, id_b, similarity) of texts whose n-gram Jaccard similarity is ≥ threshold
    (found through MinHash + LSH, so a pair far above the threshold is all but certain to be found)."""
    hasher = hasher or Hasher()
    texts: dict[int, str] = {}
    id_parts, key_parts, chunk = [], [], []

    def flush():
        if chunk:
            id_parts.append(np.asarray([i for i, _ in chunk], dtype=np.int64))
            key_parts.append(hasher.band_keys([t for _, t in chunk], n))
            chunk.clear()

    for i, text in items:
        texts[i] = text
        chunk.append((i, text))
        if len(chunk) >= batch:
            flush()
    flush()
    if not id_parts:
        return []
    pairs = candidate_pairs(np.concatenate(id_parts), np.concatenate(key_parts))
    return verify(pairs, texts.__getitem__, threshold, n)


def clusters(pairs: Iterable[tuple[int, int, float]]) -> list[list[int]]:
    """Connected groups of ids (union-find), each sorted, ordered by their first id."""
    parent: dict[int, int] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _s in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])
