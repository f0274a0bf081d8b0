"""The publication state table — pure data, no Flask, no database.

draft → in_review → published → withdrawn (with a reason; the page stays and says so). A reviewer may send a
draft back. Masking or justifying redaction hits is a step within a state; publishing is refused while any
hit is unresolved (the guard the services check).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class PubState(enum.StrEnum):
    DRAFT = "draft"            # 草稿
    IN_REVIEW = "in_review"    # 待审核
    PUBLISHED = "published"    # 已发布
    WITHDRAWN = "withdrawn"    # 已撤回


class PubAction(enum.StrEnum):
    EDIT = "edit"              # 编辑
    SUBMIT = "submit"          # 提交审核
    REDACT = "redact"          # 脱敏处理（遮蔽命中项）
    JUSTIFY = "justify"        # 说明保留理由
    SEND_BACK = "send_back"    # 退回修改
    PUBLISH = "publish"        # 审核发布
    WITHDRAW = "withdraw"      # 撤回


class PubKind(enum.StrEnum):
    KEY_TOPIC = "key_topic"                        # 重点议题
    RECTIFICATION_STATUS = "rectification_status"  # 整改情况
    TYPICAL_CASE = "typical_case"                  # 典型案例
    PUBLIC_REPORT = "public_report"                # 公开报告


NPC_STAFF, NPC_REVIEWER = "npc_staff", "npc_reviewer"


@dataclass(frozen=True)
class Transition:
    target: PubState | None   # None: the state does not change
    roles: frozenset[str]
    guard: str = ""


def _t(target, *roles, guard=""):
    return Transition(target, frozenset(roles), guard)


S, A = PubState, PubAction
TRANSITIONS: dict[tuple[PubState, PubAction], Transition] = {
    (S.DRAFT, A.EDIT): _t(None, NPC_STAFF),
    (S.DRAFT, A.REDACT): _t(None, NPC_STAFF),
    (S.DRAFT, A.SUBMIT): _t(S.IN_REVIEW, NPC_STAFF, guard="complete"),
    (S.IN_REVIEW, A.REDACT): _t(None, NPC_REVIEWER),
    (S.IN_REVIEW, A.JUSTIFY): _t(None, NPC_REVIEWER, guard="reason"),
    (S.IN_REVIEW, A.SEND_BACK): _t(S.DRAFT, NPC_REVIEWER, guard="reason"),
    (S.IN_REVIEW, A.PUBLISH): _t(S.PUBLISHED, NPC_REVIEWER, guard="no_unresolved_hits; public_only; not_own_draft"),
    (S.PUBLISHED, A.WITHDRAW): _t(S.WITHDRAWN, NPC_REVIEWER, guard="reason"),
}


class InvalidTransition(Exception):
    def __init__(self, state, action):
        super().__init__(f"{action} is not possible in state {state}")
        self.state, self.action = state, action


def transition(state: PubState, action: PubAction) -> Transition:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def next_state(state: PubState, action: PubAction) -> PubState:
    return transition(state, action).target or state


def available_actions(state: PubState) -> list[PubAction]:
    return [a for a in PubAction if (state, a) in TRANSITIONS]


PUBLIC_STATES = frozenset({S.PUBLISHED, S.WITHDRAWN})  # the states a public page exists in
