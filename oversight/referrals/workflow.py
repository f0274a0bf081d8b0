"""The two referral state tables — pure data, no Flask, no database.

Each entry says: in this state, this action leads to that state, taken by which side (the sender's
or the receiver's) with which roles. The same table drives the buttons a user sees, the permission
check in the services, the audit entry and the help page.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Direction(enum.StrEnum):
    NPC_TO_PROCURATORATE = "npc_to_procuratorate"
    PROCURATORATE_TO_NPC = "procuratorate_to_npc"


class State(enum.StrEnum):
    DRAFT = "draft"                  # 草稿
    SENT = "sent"                    # 已移送（NPC → P）
    ACKNOWLEDGED = "acknowledged"    # 已签收
    ACCEPTED = "accepted"            # 已受理
    IN_PROGRESS = "in_progress"      # 办理中
    REPLIED = "replied"              # 已答复
    RETURNED = "returned"            # 已退回
    WITHDRAWN = "withdrawn"          # 已撤回
    SUBMITTED = "submitted"          # 已报送（P → NPC）
    RECEIVED = "received"            # 已接收
    SCHEDULED = "scheduled"          # 已列入审议
    CLOSED = "closed"                # 已办结
    ARCHIVED = "archived"            # 已归档


class Action(enum.StrEnum):
    SEND = "send"                              # 移送
    WITHDRAW = "withdraw"                      # 撤回
    ACKNOWLEDGE = "acknowledge"                # 签收
    RETURN = "return"                          # 退回
    RESEND = "resend"                          # 改送
    ACCEPT = "accept"                          # 受理
    ASSIGN = "assign"                          # 交办（内部）
    REQUEST_EXTENSION = "request_extension"    # 申请延期
    DECIDE_EXTENSION = "decide_extension"      # 审批延期
    REPLY = "reply"                            # 答复
    EVALUATE = "evaluate"                      # 评价
    CLOSE_WITHOUT_FEEDBACK = "close_without_feedback"  # 未反馈办结（系统）
    URGE = "urge"                              # 催办/督办
    ARCHIVE = "archive"                        # 归档
    SUBMIT = "submit"                          # 报送
    RECEIVE = "receive"                        # 接收
    SCHEDULE = "schedule"                      # 列入审议
    ISSUE_OPINIONS = "issue_opinions"          # 印发审议意见
    RECORD = "record"                          # 备案/阅知
    VOTE = "vote"                              # 满意度测评
    CONVERT = "convert"                        # 转为代表来信
    CONSULT = "consult"                        # 面商记录


class Party(enum.StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"
    SYSTEM = "system"


class Outcome(enum.StrEnum):
    """What the receiver reports as the result — kept apart from the process state."""

    RESOLVED = "resolved"            # 已解决或采纳
    IN_PROGRESS = "in_progress"      # 正在解决
    PLANNED = "planned"              # 列入计划
    FOR_REFERENCE = "for_reference"  # 留作参考/暂难解决


class Evaluation(enum.StrEnum):
    SATISFIED = "satisfied"                  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"            # 不满意
    NO_FEEDBACK = "no_feedback"              # 未反馈


# Roles by their values, so this module needs nothing from the accounts package.
NPC_STAFF, DEPUTY = "npc_staff", "deputy"
P_CONTACT, P_HANDLER = "procuratorate_contact", "procuratorate_handler"


@dataclass(frozen=True)
class Transition:
    target: State | None          # None: the state does not change (urge, extension requests)
    party: Party
    roles: frozenset[str]
    # Named conditions the services check; listed here so the help page can show them.
    guard: str = ""


def _t(target, party, *roles, guard=""):
    return Transition(target, party, frozenset(roles), guard)


S, A = State, Action
OPEN_A = (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.IN_PROGRESS)

NPC_TO_P: dict[tuple[State, Action], Transition] = {
    (S.DRAFT, A.SEND): _t(S.SENT, Party.SENDER, NPC_STAFF),
    (S.DRAFT, A.WITHDRAW): _t(S.WITHDRAWN, Party.SENDER, NPC_STAFF, DEPUTY),
    (S.SENT, A.WITHDRAW): _t(S.WITHDRAWN, Party.SENDER, NPC_STAFF, guard="before_acknowledgement"),
    (S.SENT, A.ACKNOWLEDGE): _t(S.ACKNOWLEDGED, Party.RECEIVER, P_CONTACT),
    (S.SENT, A.RETURN): _t(S.RETURNED, Party.RECEIVER, P_CONTACT, guard="reason_and_receiver"),
    (S.ACKNOWLEDGED, A.RETURN): _t(S.RETURNED, Party.RECEIVER, P_CONTACT, guard="reason_and_receiver"),
    (S.RETURNED, A.RESEND): _t(S.SENT, Party.SENDER, NPC_STAFF, guard="another_receiver"),
    (S.RETURNED, A.ARCHIVE): _t(S.ARCHIVED, Party.SENDER, NPC_STAFF),
    (S.ACKNOWLEDGED, A.ACCEPT): _t(S.ACCEPTED, Party.RECEIVER, P_CONTACT, guard="procedural_reply"),
    (S.ACCEPTED, A.ASSIGN): _t(S.IN_PROGRESS, Party.RECEIVER, P_CONTACT, guard="department_in_receiver"),
    (S.IN_PROGRESS, A.ASSIGN): _t(S.IN_PROGRESS, Party.RECEIVER, P_CONTACT, guard="department_in_receiver"),
    (S.ACCEPTED, A.REQUEST_EXTENSION): _t(None, Party.RECEIVER, P_CONTACT, P_HANDLER, guard="no_pending_request"),
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): _t(None, Party.RECEIVER, P_CONTACT, P_HANDLER, guard="no_pending_request"),
    # The approver of an extension is the sender unless the type says the receiver's head approves.
    (S.ACCEPTED, A.DECIDE_EXTENSION): _t(None, Party.SENDER, NPC_STAFF, guard="pending_request; within_cap"),
    (S.IN_PROGRESS, A.DECIDE_EXTENSION): _t(None, Party.SENDER, NPC_STAFF, guard="pending_request; within_cap"),
    (S.IN_PROGRESS, A.REPLY): _t(S.REPLIED, Party.RECEIVER, P_CONTACT, P_HANDLER, guard="outcome_and_text"),
    # 满意/基本满意 close; 不满意 reopens (round + 1) where the type allows and rounds remain,
    # otherwise it asks for clarification (back to in_progress, same round) or, past the last
    # round, closes as dissatisfied.
    (S.REPLIED, A.EVALUATE): _t(S.CLOSED, Party.SENDER, NPC_STAFF, DEPUTY, guard="evaluator; reasons_if_dissatisfied"),
    (S.REPLIED, A.CLOSE_WITHOUT_FEEDBACK): _t(S.CLOSED, Party.SYSTEM, guard="evaluation_window_passed"),
    (S.CLOSED, A.ARCHIVE): _t(S.ARCHIVED, Party.SENDER, NPC_STAFF),
    (S.WITHDRAWN, A.ARCHIVE): _t(S.ARCHIVED, Party.SENDER, NPC_STAFF),
    # A suggestion about a specific case is not a suggestion: it becomes a deputy's letter.
    (S.DRAFT, A.CONVERT): _t(None, Party.SENDER, NPC_STAFF, guard="deputy_suggestion"),
    (S.SENT, A.CONVERT): _t(None, Party.SENDER, NPC_STAFF, guard="deputy_suggestion"),
    (S.ACCEPTED, A.CONSULT): _t(None, Party.RECEIVER, P_CONTACT, P_HANDLER),
    (S.IN_PROGRESS, A.CONSULT): _t(None, Party.RECEIVER, P_CONTACT, P_HANDLER),
    **{(state, A.URGE): _t(None, Party.SENDER, NPC_STAFF) for state in OPEN_A},
}

P_TO_NPC: dict[tuple[State, Action], Transition] = {
    (S.DRAFT, A.SUBMIT): _t(S.SUBMITTED, Party.SENDER, P_CONTACT),
    (S.DRAFT, A.WITHDRAW): _t(S.WITHDRAWN, Party.SENDER, P_CONTACT),
    (S.SUBMITTED, A.WITHDRAW): _t(S.WITHDRAWN, Party.SENDER, P_CONTACT, guard="before_receipt"),
    (S.SUBMITTED, A.RECEIVE): _t(S.RECEIVED, Party.RECEIVER, NPC_STAFF),
    (S.RECEIVED, A.SCHEDULE): _t(S.SCHEDULED, Party.RECEIVER, NPC_STAFF, guard="session_date"),
    (S.RECEIVED, A.RECORD): _t(S.CLOSED, Party.RECEIVER, NPC_STAFF),
    (S.SCHEDULED, A.RECORD): _t(S.CLOSED, Party.RECEIVER, NPC_STAFF),
    (S.SCHEDULED, A.ISSUE_OPINIONS): _t(S.CLOSED, Party.RECEIVER, NPC_STAFF, guard="opinions_text"),
    (S.SCHEDULED, A.VOTE): _t(S.CLOSED, Party.RECEIVER, NPC_STAFF, guard="tally"),
    (S.CLOSED, A.ARCHIVE): _t(S.ARCHIVED, Party.RECEIVER, NPC_STAFF),
    (S.WITHDRAWN, A.ARCHIVE): _t(S.ARCHIVED, Party.SENDER, P_CONTACT),
    (S.SUBMITTED, A.URGE): _t(None, Party.SENDER, P_CONTACT),
    (S.RECEIVED, A.URGE): _t(None, Party.SENDER, P_CONTACT),
}

TABLES = {Direction.NPC_TO_PROCURATORATE: NPC_TO_P, Direction.PROCURATORATE_TO_NPC: P_TO_NPC}
OPEN_STATES = frozenset({S.DRAFT, S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.IN_PROGRESS, S.REPLIED, S.SUBMITTED,
                         S.RECEIVED, S.SCHEDULED})
TERMINAL_STATES = frozenset({S.ARCHIVED})


class InvalidTransition(Exception):
    def __init__(self, direction: Direction, state: State, action: Action):
        super().__init__(f"{action} is not possible in state {state} ({direction})")
        self.direction, self.state, self.action = direction, state, action


def transition(direction: Direction, state: State, action: Action) -> Transition:
    try:
        return TABLES[direction][(state, action)]
    except KeyError:
        raise InvalidTransition(direction, state, action) from None


def available_actions(direction: Direction, state: State) -> list[Action]:
    """Actions the table allows in `state`, in the order the enum lists them."""
    table = TABLES[direction]
    return [a for a in Action if (state, a) in table]


def states_of(direction: Direction) -> list[State]:
    table = TABLES[direction]
    seen = {s for s, _ in table} | {t.target for t in table.values() if t.target}
    return [s for s in State if s in seen]
