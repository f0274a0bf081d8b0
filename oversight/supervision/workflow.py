"""The alert's state table: new → confirmed → converted (to a topic) / dismissed (with a reason)."""
from __future__ import annotations

import enum

from ..errors import InvalidTransition


class AlertState(enum.StrEnum):
    NEW = "new"                # 待研判
    CONFIRMED = "confirmed"    # 已确认
    CONVERTED = "converted"    # 已转为议题
    DISMISSED = "dismissed"    # 已排除


class AlertAction(enum.StrEnum):
    CONFIRM = "confirm"        # 确认
    CONVERT = "convert"        # 转为监督议题
    DISMISS = "dismiss"        # 排除


class Severity(enum.StrEnum):
    LOW = "low"                # 提示
    MEDIUM = "medium"          # 关注
    HIGH = "high"              # 严重


TRANSITIONS: dict[tuple[AlertState, AlertAction], AlertState] = {
    (AlertState.NEW, AlertAction.CONFIRM): AlertState.CONFIRMED,
    (AlertState.NEW, AlertAction.DISMISS): AlertState.DISMISSED,
    (AlertState.CONFIRMED, AlertAction.CONVERT): AlertState.CONVERTED,
    (AlertState.CONFIRMED, AlertAction.DISMISS): AlertState.DISMISSED,
}


def next_state(state: AlertState, action: AlertAction) -> AlertState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(f"{action.value} not allowed in {state.value}") from None


def available_actions(state: AlertState) -> list[AlertAction]:
    return [a for (s, a) in TRANSITIONS if s is state]
