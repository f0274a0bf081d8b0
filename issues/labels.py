"""Chinese names (through the catalog) for the topic and rectification vocabulary."""
from __future__ import annotations

from flask_babel import gettext as _

from .models import Area, SourceKind
from .workflow import ItemAction, ItemState, Party, Severity, TopicAction, TopicState


def topic_state(value: TopicState) -> str:
    return {TopicState.OPEN: _("起草中"), TopicState.IN_REVIEW: _("待审核"), TopicState.ISSUED: _("清单已印发"),
            TopicState.RECTIFYING: _("整改中"), TopicState.EVALUATED: _("已评估"), TopicState.CLOSED: _("已结束")}[value]


def topic_action(value: TopicAction) -> str:
    return {TopicAction.SUBMIT: _("提请审核"), TopicAction.SEND_BACK: _("退回修改"), TopicAction.ISSUE: _("审核印发"),
            TopicAction.START: _("进入整改"), TopicAction.REVISE: _("修订清单"), TopicAction.EVALUATE: _("整改评估"),
            TopicAction.CLOSE: _("结束议题")}[value]


def item_state(value: ItemState) -> str:
    return {ItemState.PENDING: _("待整改"), ItemState.IN_PROGRESS: _("整改中"),
            ItemState.AWAITING_SIGNOFF: _("待销号"), ItemState.SIGNED_OFF: _("已销号")}[value]


def item_action(value: ItemAction) -> str:
    return {ItemAction.START: _("开始整改"), ItemAction.REPORT_PROGRESS: _("报告进展"),
            ItemAction.REQUEST_SIGNOFF: _("申请销号"), ItemAction.SIGN_OFF: _("销号"), ItemAction.RETURN: _("退回整改"),
            ItemAction.ACCEPT_PROGRESS: _("认定进展"), ItemAction.URGE: _("督办"),
            ItemAction.REQUEST_EXTENSION: _("申请延期"), ItemAction.DECIDE_EXTENSION: _("审批延期"),
            ItemAction.REOPEN: _("重新整改（问题回潮）")}[value]


def party(value: Party) -> str:
    return {Party.NPC: _("人大常委会"), Party.UNIT: _("责任单位"), Party.SYSTEM: _("系统")}[value]


def area(value: Area) -> str:
    return {Area.BUSINESS: _("营商环境"), Area.LIVELIHOOD: _("民生保障"), Area.ECOLOGY: _("生态环境"),
            Area.PUBLIC_INTEREST: _("公益诉讼"), Area.JUDICIAL: _("司法公正"), Area.OTHER: _("其他")}[value]


def severity(value: Severity) -> str:
    return {Severity.MINOR: _("一般"), Severity.SERIOUS: _("较重"), Severity.GRAVE: _("严重")}[value]


def source_kind(value: SourceKind) -> str:
    return {SourceKind.REFERRAL: _("移送事项"), SourceKind.MEETING_DECISION: _("会议议定事项"),
            SourceKind.MODEL_ALERT: _("模型预警"), SourceKind.OTHER: _("其他来源")}[value]


def event(action: str) -> str:
    """A topic timeline line's action: a transition or a drafting step."""
    drafting = {"create": _("建立议题"), "link_source": _("关联来源事项"), "add_source": _("添加来源"),
                "add_problem": _("添加问题"), "add_responsibility": _("添加责任"), "add_item": _("添加整改事项")}
    if action in drafting:
        return drafting[action]
    try:
        return topic_action(TopicAction(action))
    except ValueError:
        return action


def item_event(action: str) -> str:
    try:
        return item_action(ItemAction(action))
    except ValueError:
        return action
