"""The two state tables of this package — pure data, no Flask, no database.

A topic (监督议题) moves from drafting its three lists through review and issue to rectification,
evaluation and closing. A rectification item (整改事项) moves from pending through progress reports to
sign-off (销号). Each entry says which side takes the step and with which roles; the same tables drive
the buttons, the permission checks, the audit entries and the timeline.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class TopicState(enum.StrEnum):
    OPEN = "open"                # 起草中（立项后起草三张清单）
    IN_REVIEW = "in_review"      # 待审核
    ISSUED = "issued"            # 清单已印发
    RECTIFYING = "rectifying"    # 整改中
    EVALUATED = "evaluated"      # 已评估
    CLOSED = "closed"            # 已结束


class TopicAction(enum.StrEnum):
    SUBMIT = "submit"            # 提请审核
    SEND_BACK = "send_back"      # 退回修改
    ISSUE = "issue"              # 审核印发
    START = "start"              # 进入整改（系统：首个事项开始整改）
    REVISE = "revise"            # 修订清单（印发新版本）
    EVALUATE = "evaluate"        # 整改评估
    CLOSE = "close"              # 结束议题


class ItemState(enum.StrEnum):
    PENDING = "pending"                    # 待整改
    IN_PROGRESS = "in_progress"            # 整改中
    AWAITING_SIGNOFF = "awaiting_signoff"  # 待销号
    SIGNED_OFF = "signed_off"              # 已销号


class ItemAction(enum.StrEnum):
    START = "start"                          # 开始整改
    REPORT_PROGRESS = "report_progress"      # 报告进展
    REQUEST_SIGNOFF = "request_signoff"      # 申请销号
    SIGN_OFF = "sign_off"                    # 销号
    RETURN = "return"                        # 退回整改
    ACCEPT_PROGRESS = "accept_progress"      # 认定进展
    URGE = "urge"                            # 督办
    REQUEST_EXTENSION = "request_extension"  # 申请延期
    DECIDE_EXTENSION = "decide_extension"    # 审批延期
    REOPEN = "reopen"                        # 重新整改（问题回潮）


class Party(enum.StrEnum):
    NPC = "npc"      # the committee that owns the topic (its staff or reviewers)
    UNIT = "unit"    # the responsible unit of the item
    SYSTEM = "system"


class Severity(enum.StrEnum):
    MINOR = "minor"        # 一般
    SERIOUS = "serious"    # 较重
    GRAVE = "grave"        # 严重


# Roles by their values, so this module needs nothing from the accounts package.
NPC_STAFF, NPC_REVIEWER = "npc_staff", "npc_reviewer"
P_CONTACT = "procuratorate_contact"


@dataclass(frozen=True)
class Transition:
    target: object | None   # None: the state does not change
    party: Party
    roles: frozenset[str]
    guard: str = ""          # named conditions the services check


def _t(target, party, *roles, guard=""):
    return Transition(target, party, frozenset(roles), guard)


TS, TA = TopicState, TopicAction
TOPIC_TRANSITIONS: dict[tuple[TopicState, TopicAction], Transition] = {
    (TS.OPEN, TA.SUBMIT): _t(TS.IN_REVIEW, Party.NPC, NPC_STAFF, guard="complete_lists"),
    (TS.IN_REVIEW, TA.SEND_BACK): _t(TS.OPEN, Party.NPC, NPC_REVIEWER, guard="reason"),
    # Issuing returns to 整改中 when the topic was revised after rectification had begun.
    (TS.IN_REVIEW, TA.ISSUE): _t(TS.ISSUED, Party.NPC, NPC_REVIEWER, guard="complete_lists; not_own_draft"),
    (TS.ISSUED, TA.START): _t(TS.RECTIFYING, Party.SYSTEM),
    (TS.ISSUED, TA.REVISE): _t(TS.OPEN, Party.NPC, NPC_STAFF, guard="reason"),
    (TS.RECTIFYING, TA.REVISE): _t(TS.OPEN, Party.NPC, NPC_STAFF, guard="reason"),
    (TS.RECTIFYING, TA.EVALUATE): _t(TS.EVALUATED, Party.NPC, NPC_STAFF, guard="all_signed_off; text"),
    (TS.EVALUATED, TA.CLOSE): _t(TS.CLOSED, Party.NPC, NPC_STAFF),
}

IS, IA = ItemState, ItemAction
OPEN_ITEM_STATES = (IS.PENDING, IS.IN_PROGRESS)
ITEM_TRANSITIONS: dict[tuple[ItemState, ItemAction], Transition] = {
    (IS.PENDING, IA.START): _t(IS.IN_PROGRESS, Party.UNIT, P_CONTACT, guard="issued"),
    # A first progress report starts the work as well.
    (IS.PENDING, IA.REPORT_PROGRESS): _t(IS.IN_PROGRESS, Party.UNIT, P_CONTACT,
                                         guard="issued; percent_0_100; text"),
    (IS.IN_PROGRESS, IA.REPORT_PROGRESS): _t(None, Party.UNIT, P_CONTACT,
                                             guard="percent_0_100; reason_if_lower; text"),
    (IS.IN_PROGRESS, IA.REQUEST_SIGNOFF): _t(IS.AWAITING_SIGNOFF, Party.UNIT, P_CONTACT, guard="reported_100"),
    (IS.IN_PROGRESS, IA.ACCEPT_PROGRESS): _t(None, Party.NPC, NPC_STAFF, guard="not_above_reported"),
    (IS.AWAITING_SIGNOFF, IA.SIGN_OFF): _t(IS.SIGNED_OFF, Party.NPC, NPC_STAFF, NPC_REVIEWER),
    (IS.AWAITING_SIGNOFF, IA.RETURN): _t(IS.IN_PROGRESS, Party.NPC, NPC_STAFF, NPC_REVIEWER, guard="reason"),
    (IS.SIGNED_OFF, IA.REOPEN): _t(IS.IN_PROGRESS, Party.NPC, NPC_STAFF, guard="reason"),
    **{(s, IA.URGE): _t(None, Party.NPC, NPC_STAFF) for s in OPEN_ITEM_STATES},
    **{(s, IA.REQUEST_EXTENSION): _t(None, Party.UNIT, P_CONTACT, guard="no_pending_request; later_date")
       for s in OPEN_ITEM_STATES},
    **{(s, IA.DECIDE_EXTENSION): _t(None, Party.NPC, NPC_STAFF, NPC_REVIEWER, guard="pending_request")
       for s in OPEN_ITEM_STATES},
}


class InvalidTransition(Exception):
    def __init__(self, state, action):
        super().__init__(f"{action} is not possible in state {state}")
        self.state, self.action = state, action


def topic_transition(state: TopicState, action: TopicAction) -> Transition:
    try:
        return TOPIC_TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def item_transition(state: ItemState, action: ItemAction) -> Transition:
    try:
        return ITEM_TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def next_topic_state(state: TopicState, action: TopicAction) -> TopicState:
    return topic_transition(state, action).target or state


def next_item_state(state: ItemState, action: ItemAction) -> ItemState:
    return item_transition(state, action).target or state


def topic_actions(state: TopicState) -> list[TopicAction]:
    """Actions the topic table allows in `state`, in the order the enum lists them."""
    return [a for a in TopicAction if (state, a) in TOPIC_TRANSITIONS]


def item_actions(state: ItemState) -> list[ItemAction]:
    """Actions the item table allows in `state`, in the order the enum lists them."""
    return [a for a in ItemAction if (state, a) in ITEM_TRANSITIONS]
