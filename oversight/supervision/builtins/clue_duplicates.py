"""Near-duplicate clues: the same matter sent again in other words (character bigrams, MinHash + LSH)."""
from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ..registry import Evidence, Hit, Param, register
from ..similarity import Hasher, candidate_pairs, clusters, verify
from ..workflow import Severity
from ._common import Scopes, days_before

BATCH = 10_000


@register("clue_near_duplicates", name=_l("重复线索预警"),
          purpose=_l("内容高度相似的线索（换个说法重复反映的同一事项），提示合并办理、避免重复移送。"),
          legal_basis=_l("《信访工作条例》第二十七条（重复信访事项）；线索受理办理规定。"),
          params=[Param("window_days", _l("比对范围（天）"), 365, 1, 3650),
                  Param("threshold", _l("相似度阈值"), 0.5, 0.3, 0.95, float)],
          cron="50 3 * * *", needs_tables=("clues",))
def clue_near_duplicates(ctx, params, period) -> list[Hit]:
    from ...clues.models import Clue

    start, end = days_before(period.as_of, params["window_days"]), period.end()
    scope = sa.and_(Clue.created_at >= start, Clue.created_at < end, Clue.state != "merged")
    groups = find_duplicate_groups(ctx.session, Clue, scope, params["threshold"])
    scopes = Scopes(ctx.session)
    hits = []
    for members in groups:
        receivers = {r for offset in range(0, len(members), 1000) for r in ctx.session.scalars(
            sa.select(Clue.receiving_org_id).where(Clue.id.in_(members[offset:offset + 1000])).distinct())}
        titles = dict(ctx.session.execute(sa.select(Clue.id, Clue.title).where(Clue.id.in_(members[:50]))).all())
        # Keyed by the earliest clue: later rephrasings join the same alert rather than raising new ones.
        hits.append(scopes.scope(Hit(f"clue:{members[0]}", _("%(n)d 件线索内容高度相似：%(t)s", n=len(members), t=titles.get(members[0], "")),
                        [Evidence("clue", i, titles.get(i, "")) for i in members[:50]],
                        Severity.HIGH if len(members) >= 5 else Severity.LOW), {scopes.committee(r) for r in receivers}))
    return hits


def find_duplicate_groups(session, Clue, scope, threshold: float) -> list[list[int]]:  # noqa: N803
    """Two passes over the clues in scope: band keys a batch at a time (keyset by id), then the
    candidates' texts read again and verified."""
    hasher = Hasher()
    id_parts, key_parts, last = [], [], 0
    while True:
        rows = session.execute(sa.select(Clue.id, Clue.title, Clue.description).where(scope, Clue.id > last)
                               .order_by(Clue.id).limit(BATCH)).all()
        if not rows:
            break
        id_parts.append(np.fromiter((r.id for r in rows), dtype=np.int64, count=len(rows)))
        key_parts.append(hasher.band_keys([f"{r.title}{r.description}" for r in rows]))
        last = rows[-1].id
    if not id_parts:
        return []
    pairs = candidate_pairs(np.concatenate(id_parts), np.concatenate(key_parts))
    texts: dict[int, str] = {}
    wanted = sorted({i for p in pairs for i in p})
    for offset in range(0, len(wanted), 1000):
        chunk = wanted[offset:offset + 1000]
        texts.update((r.id, f"{r.title}{r.description}") for r in session.execute(
            sa.select(Clue.id, Clue.title, Clue.description).where(Clue.id.in_(chunk))))
    return clusters(verify(pairs, texts.__getitem__, threshold))
