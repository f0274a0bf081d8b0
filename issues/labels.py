"""Chinese names (through the catalog) for the topic and rectification vocabulary."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

from .models import Area, SourceKind
from .workflow import ItemAction, ItemState, Party, Severity, TopicAction, TopicState


def topic_state(value: TopicState) -> str:
    return {TopicState.OPEN: _("起草中"), TopicState.IN_REVIEW: _("待审核"), TopicState.ISSUED: _("清单已印发"),
            TopicState.RECTIFYING: _("整改中"), TopicState.EVALUATED: _("已评估"), TopicState.CLOSED: _("已结束")}[value]


def topic_action(value: TopicAction) -> str:
    return {TopicAction.SUBMIT: _("提请审核"), TopicAction.SEND_BACK: _("退回修改"), TopicAction.ISSUE: _("审核印发"),
            TopicAction.START: _("进入整改"), TopicAction.REVISE: _("修订清单"), TopicAction.EVALUATE: _("整改评估"),
            TopicAction.CLOSE: _("结束议题")}[value]


# Lazy strings made once: a big topic's page names hundreds of item states, one lookup each.
_ITEM_STATES = {ItemState.PENDING: _l("待整改"), ItemState.IN_PROGRESS: _l("整改中"),
                ItemState.AWAITING_SIGNOFF: _l("待销号"), ItemState.SIGNED_OFF: _l("已销号")}


def item_state(value: ItemState) -> str:
    return str(_ITEM_STATES[ItemState(value)])


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


def guard(value: str) -> str:
    """The named conditions of a workflow table entry, for the help page."""
    names = {"complete_lists": _("三张清单齐全：每个问题有责任单位，每个责任有整改事项"),
             "not_own_draft": _("审核人不能印发自己提请审核的清单"), "reason": _("须说明理由"),
             "all_signed_off": _("全部整改事项已销号"), "text": _("须填写内容"),
             "issued": _("事项已随清单印发"), "percent_0_100": _("进度在 0 到 100 之间"),
             "reason_if_lower": _("进度低于上次报告时须说明原因"), "reported_100": _("单位报告的进度已全部完成"),
             "not_above_reported": _("认定进度不超过单位报告的进度"), "no_pending_request": _("没有待审批的延期申请"),
             "later_date": _("新期限晚于当前期限"), "pending_request": _("有待审批的延期申请")}
    return "；".join(names.get(g.strip(), g.strip()) for g in value.split(";") if g.strip())
