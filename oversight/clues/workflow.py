"""The clue state table — pure data, no Flask, no database.

A clue arrives as 已收到 and is triaged once by the receiving committee's NPC staff: converted into a
referral draft, merged into another clue on the same matter, or declined with a reason the sender
sees. The same table drives the buttons, the service check, the audit entry and the tests.
"""
from __future__ import annotations

import enum


class ClueState(enum.StrEnum):
    RECEIVED = "received"    # 已收到
    CONVERTED = "converted"  # 已转为交办事项
    MERGED = "merged"        # 已合并
    DECLINED = "declined"    # 不予采用


class ClueSource(enum.StrEnum):
    PUBLIC = "public"        # 公众
    STATION = "station"      # 代表联络站
    DEPUTY = "deputy"        # 人大代表


class ClueAction(enum.StrEnum):
    CONVERT = "convert"      # 转为交办事项
    MERGE = "merge"          # 合并
    DECLINE = "decline"      # 不予采用


# (state, action) → the state it leads to. Anything not listed is refused.
TABLE: dict[tuple[ClueState, ClueAction], ClueState] = {
    (ClueState.RECEIVED, ClueAction.CONVERT): ClueState.CONVERTED,
    (ClueState.RECEIVED, ClueAction.MERGE): ClueState.MERGED,
    (ClueState.RECEIVED, ClueAction.DECLINE): ClueState.DECLINED,
}

# Which roles (values of oversight.accounts.models.Role) take the triage actions.
ACTING_ROLES = frozenset({"npc_staff"})

FINAL_STATES = frozenset({ClueState.CONVERTED, ClueState.MERGED, ClueState.DECLINED})


def target(state: ClueState, action: ClueAction) -> ClueState | None:
    return TABLE.get((state, action))


def available_actions(state: ClueState) -> list[ClueAction]:
    return [action for (s, action) in TABLE if s is state]
