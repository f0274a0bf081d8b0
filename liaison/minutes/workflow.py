"""The minutes and action-item state tables — pure data, no Flask, no database."""
from __future__ import annotations

import enum


class MinutesState(enum.StrEnum):
    DRAFT = "draft"            # 草稿
    REVIEW = "review"          # 征求意见（修改意见期）
    APPROVED = "approved"      # 已审定（锁定）


class MinutesAction(enum.StrEnum):
    EDIT = "edit"                        # 修改纪要
    OPEN_REVIEW = "open_review"          # 送参会人员征求意见
    PROPOSE_AMENDMENT = "propose_amendment"  # 提出修改意见
    REVISE = "revise"                    # 退回修改
    APPROVE = "approve"                  # 审定
    CORRECT = "correct"                  # 更正（审定后以更正说明附后）


class ItemState(enum.StrEnum):
    OPEN = "open"          # 办理中
    DONE = "done"          # 已完成
    DROPPED = "dropped"    # 已撤销


class ItemAction(enum.StrEnum):
    COMPLETE = "complete"              # 标记完成
    DROP = "drop"                      # 撤销（须说明理由）
    SPAWN_REFERRAL = "spawn_referral"  # 转为移送事项
    SPAWN_TOPIC = "spawn_topic"        # 转为监督议题


M, MA = MinutesState, MinutesAction
MINUTES_TRANSITIONS: dict[tuple[MinutesState, MinutesAction], MinutesState] = {
    (M.DRAFT, MA.EDIT): M.DRAFT,
    (M.DRAFT, MA.OPEN_REVIEW): M.REVIEW,
    (M.REVIEW, MA.PROPOSE_AMENDMENT): M.REVIEW,
    (M.REVIEW, MA.REVISE): M.DRAFT,
    (M.REVIEW, MA.APPROVE): M.APPROVED,
    (M.APPROVED, MA.CORRECT): M.APPROVED,
}

I, IA = ItemState, ItemAction
ITEM_TRANSITIONS: dict[tuple[ItemState, ItemAction], ItemState] = {
    (I.OPEN, IA.COMPLETE): I.DONE,
    (I.OPEN, IA.DROP): I.DROPPED,
    (I.OPEN, IA.SPAWN_REFERRAL): I.OPEN,
    (I.OPEN, IA.SPAWN_TOPIC): I.OPEN,
}


class InvalidTransition(Exception):
    def __init__(self, state, action):
        super().__init__(f"{action} is not possible in state {state}")
        self.state, self.action = state, action


def next_state(state, action):
    table = MINUTES_TRANSITIONS if isinstance(state, MinutesState) else ITEM_TRANSITIONS
    try:
        return table[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def available_actions(state) -> list:
    if isinstance(state, MinutesState):
        return [a for a in MinutesAction if (state, a) in MINUTES_TRANSITIONS]
    return [a for a in ItemAction if (state, a) in ITEM_TRANSITIONS]
