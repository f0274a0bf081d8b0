"""Small helpers the built-in models share."""
from __future__ import annotations

import datetime as dt
import logging

from ...db import db
from ...orgs.models import Organisation
from ...referrals.models import Referral
from ..registry import Evidence, Hit

log = logging.getLogger(__name__)


def table(name: str):
    """A table of a package built on `oversight` (e.g. issues' rectification_items), by name."""
    return db.metadata.tables[name]


def days_before(day: dt.date, days: int) -> dt.datetime:
    return dt.datetime.combine(day - dt.timedelta(days=days - 1), dt.time(), tzinfo=dt.timezone.utc)


def referral_evidence(session, ids, limit: int = 50) -> list[Evidence]:
    ids = sorted(set(ids))[:limit]
    rows = session.execute(db.select(Referral.id, Referral.serial, Referral.title).where(Referral.id.in_(ids))
                           .order_by(Referral.id)).all() if ids else []
    return [Evidence("referral", r.id, f"{r.serial or ''} {r.title}".strip()) for r in rows]


def org_names(session, ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(session.execute(db.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


class Scopes:
    """Which NPC standing committee an alert belongs to (DESIGN §2: a committee sees what it and the
    committees below it send or receive; its own staff act on it).

    Each piece of evidence has a responsible committee: a referral its NPC side's committee (the
    institution of the sender or receiver on the NPC side), a procuratorate unit the committee paired with
    its procuratorate (or, unpaired, with the nearest paired procuratorate above it), a rectification item
    or topic the committee of the topic's lead body, a clue its receiving committee.

    A hit whose evidence spans several committees is scoped to their *lowest common ancestor* committee
    rather than split into one alert per committee: the models count across their evidence (three
    不满意 of one type, a hotspot at one place), so a split would change what fires (three districts with one
    each would each fall below the threshold) and the evidence key, breaking de-duplication against alerts
    already raised; and scoping to any one of the committees would show it the other committees' records.
    The common ancestor is the lowest level entitled to see all of the evidence, so nothing leaks and the
    fingerprint stays what it was. Evidence with no common committee (separate trees, or no committee at
    all) leaves the scope empty: such an alert is seen by system administrators only (logged)."""

    def __init__(self, session):
        self.session = session
        self._orgs: dict[int, Organisation | None] = {}
        self._committee: dict[int, int | None] = {}

    def org(self, org_id: int) -> Organisation | None:
        if org_id not in self._orgs:
            self._orgs[org_id] = self.session.get(Organisation, org_id)
        return self._orgs[org_id]

    def committee(self, org_id: int | None) -> int | None:
        """The committee responsible for what `org_id` sends or receives."""
        if org_id is None:
            return None
        if org_id not in self._committee:
            self._committee[org_id] = self._resolve(self.org(org_id))
        return self._committee[org_id]

    def _resolve(self, org: Organisation | None) -> int | None:
        from ...orgs.models import OrgKind
        from ...orgs.permissions import institution_of

        if org is None:
            return None
        node = institution_of(org)
        if node.kind is OrgKind.NPC_COMMITTEE:
            return node.id
        while node is not None and node.kind is OrgKind.PROCURATORATE:
            paired = self.session.scalar(db.select(Organisation.id).where(Organisation.paired_procuratorate_id == node.id))
            if paired is not None:
                return paired
            node = node.parent
        return None

    def of_referral(self, sender_id: int, receiver_id: int) -> int | None:
        """The committee of the referral's NPC side (sender or receiver), else of its receiver."""
        from ...orgs.models import Side

        for org_id in (sender_id, receiver_id):
            org = self.org(org_id)
            if org is not None and org.kind.side is Side.NPC:
                return self.committee(org_id)
        return self.committee(receiver_id)

    def of_referral_ids(self, ids) -> set[int | None]:
        ids = sorted(set(ids))
        pairs = set()
        for offset in range(0, len(ids), 1000):
            pairs.update(self.session.execute(
                db.select(Referral.sender_org_id, Referral.receiver_org_id)
                .where(Referral.id.in_(ids[offset:offset + 1000])).distinct()).all())
        return {self.of_referral(s, r) for s, r in pairs}

    def common(self, committee_ids) -> int | None:
        """The lowest committee whose subtree holds every one of `committee_ids` (None if any is None or
        they share no ancestor). A committee's ancestors are committees, so the deepest shared path id is one."""
        ids = set(committee_ids)
        if not ids or None in ids:
            return None
        paths = [[int(p) for p in self.org(i).path.strip("/").split("/") if p] for i in ids]
        shared = None
        for level in zip(*paths):
            if len(set(level)) != 1:
                break
            shared = level[0]
        return shared

    def scope(self, hit: Hit, committee_ids) -> Hit:
        """`hit` with its scope set to the common committee of `committee_ids`."""
        hit.scope_org_id = self.common(committee_ids)
        if hit.scope_org_id is None:
            log.warning("supervision hit %s has no common committee: visible to administrators only", hit.key)
        return hit
