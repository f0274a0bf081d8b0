"""The campaign state table — pure data, no Flask, no database."""
from __future__ import annotations

import enum


class State(enum.StrEnum):
    DRAFT = "draft"            # 草稿
    OPEN = "open"              # 评议中
    CLOSED = "closed"          # 已结束
    PUBLISHED = "published"    # 结果已公布
    CANCELLED = "cancelled"    # 已取消


class Action(enum.StrEnum):
    EDIT = "edit"                  # 修改评议信息（含评议事项）
    INVITE = "invite"              # 生成邀请码
    REVOKE = "revoke"              # 作废邀请码
    OPEN = "open"                  # 开始评议
    CLOSE = "close"                # 结束评议
    PUBLISH = "publish"            # 公布结果
    CANCEL = "cancel"              # 取消评议


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"                # 满意
    BASICALLY_SATISFIED = "basically"      # 基本满意
    DISSATISFIED = "dissatisfied"          # 不满意


class InvitationState(enum.StrEnum):
    UNUSED = "unused"      # 未使用
    USED = "used"          # 已提交
    REVOKED = "revoked"    # 已作废


S, A = State, Action
TRANSITIONS: dict[tuple[State, Action], State] = {
    (S.DRAFT, A.EDIT): S.DRAFT,
    (S.DRAFT, A.INVITE): S.DRAFT,
    (S.DRAFT, A.REVOKE): S.DRAFT,
    (S.DRAFT, A.OPEN): S.OPEN,
    (S.DRAFT, A.CANCEL): S.CANCELLED,
    (S.OPEN, A.INVITE): S.OPEN,
    (S.OPEN, A.REVOKE): S.OPEN,
    (S.OPEN, A.CLOSE): S.CLOSED,
    (S.OPEN, A.CANCEL): S.CANCELLED,
    (S.CLOSED, A.PUBLISH): S.PUBLISHED,
}
# States whose running figures staff see (the public sees them only once PUBLISHED).
WITH_RESULTS = (S.OPEN, S.CLOSED, S.PUBLISHED)


class InvalidTransition(Exception):
    def __init__(self, state: State, action: Action):
        super().__init__(f"{action} is not possible in state {state}")
        self.state, self.action = state, action


def next_state(state: State, action: Action) -> State:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def available_actions(state: State) -> list[Action]:
    return [a for a in Action if (state, a) in TRANSITIONS]
