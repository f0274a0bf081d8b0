"""The meeting and invitation state tables — pure data, no Flask, no database."""
from __future__ import annotations

import enum


class MeetingKind(enum.StrEnum):
    JOINT_MEETING = "joint_meeting"            # 联席会议
    LIAISON_MEETING = "liaison_meeting"        # 联络会议 / 工作联络会
    CONSULTATION = "consultation"              # 会商
    BRIEFING = "briefing"                      # 情况通报会


class State(enum.StrEnum):
    SCHEDULED = "scheduled"    # 已安排
    HELD = "held"              # 已召开
    CANCELLED = "cancelled"    # 已取消


class Action(enum.StrEnum):
    EDIT = "edit"              # 修改会议信息
    INVITE = "invite"          # 邀请参会人员
    ADD_AGENDA = "add_agenda"  # 增加议程
    CANCEL = "cancel"          # 取消会议
    HOLD = "hold"              # 确认召开（开始起草纪要）


class Response(enum.StrEnum):
    PENDING = "pending"        # 待回复
    ACCEPTED = "accepted"      # 接受
    DECLINED = "declined"      # 谢绝
    DELEGATED = "delegated"    # 委派他人参加


S, A = State, Action
TRANSITIONS: dict[tuple[State, Action], State] = {
    (S.SCHEDULED, A.EDIT): S.SCHEDULED,
    (S.SCHEDULED, A.INVITE): S.SCHEDULED,
    (S.SCHEDULED, A.ADD_AGENDA): S.SCHEDULED,
    (S.SCHEDULED, A.CANCEL): S.CANCELLED,
    (S.SCHEDULED, A.HOLD): S.HELD,
}
# Only a pending or answered invitation to a scheduled meeting can be answered (again).
RESPONSES = (Response.ACCEPTED, Response.DECLINED, Response.DELEGATED)


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
