"""Chinese names (through the catalog) for the referral vocabulary, used by pages, PDFs and messages."""
from __future__ import annotations

from flask_babel import gettext as _

from .workflow import Action, Direction, Evaluation, Outcome, Party, State


def state(value: State) -> str:
    return {
        State.DRAFT: _("草稿"), State.SENT: _("已移送"), State.ACKNOWLEDGED: _("已签收"), State.ACCEPTED: _("已受理"),
        State.IN_PROGRESS: _("办理中"), State.REPLIED: _("已答复"), State.RETURNED: _("已退回"),
        State.WITHDRAWN: _("已撤回"), State.SUBMITTED: _("已报送"), State.RECEIVED: _("已接收"),
        State.SCHEDULED: _("已列入审议"), State.CLOSED: _("已办结"), State.ARCHIVED: _("已归档"),
    }[value]


def action(value: Action) -> str:
    return {
        Action.SEND: _("移送"), Action.WITHDRAW: _("撤回"), Action.ACKNOWLEDGE: _("签收"), Action.RETURN: _("退回"),
        Action.RESEND: _("改送"), Action.ACCEPT: _("受理"), Action.ASSIGN: _("交办"),
        Action.REQUEST_EXTENSION: _("申请延期"), Action.DECIDE_EXTENSION: _("审批延期"), Action.REPLY: _("答复"),
        Action.EVALUATE: _("评价"), Action.CLOSE_WITHOUT_FEEDBACK: _("未反馈办结"), Action.URGE: _("催办"),
        Action.ARCHIVE: _("归档"), Action.SUBMIT: _("报送"), Action.RECEIVE: _("接收"), Action.SCHEDULE: _("列入审议"),
        Action.ISSUE_OPINIONS: _("印发审议意见"), Action.RECORD: _("备案阅知"), Action.VOTE: _("满意度测评"),
        Action.CONVERT: _("转为代表来信"), Action.CONSULT: _("记录面商"),
    }[value]


def outcome(value: Outcome | None) -> str:
    if value is None:
        return ""
    return {Outcome.RESOLVED: _("已解决或采纳"), Outcome.IN_PROGRESS: _("正在解决"), Outcome.PLANNED: _("列入计划"),
            Outcome.FOR_REFERENCE: _("留作参考")}[value]


def evaluation(value: Evaluation | None) -> str:
    if value is None:
        return ""
    return {Evaluation.SATISFIED: _("满意"), Evaluation.BASICALLY_SATISFIED: _("基本满意"),
            Evaluation.DISSATISFIED: _("不满意"), Evaluation.NO_FEEDBACK: _("未反馈")}[value]


def direction(value: Direction) -> str:
    return {Direction.NPC_TO_PROCURATORATE: _("人大 → 检察院"), Direction.PROCURATORATE_TO_NPC: _("检察院 → 人大")}[value]


def party_name(direction_: Direction, party_: Party) -> str:
    npc_sends = direction_ is Direction.NPC_TO_PROCURATORATE
    if party_ is Party.SYSTEM:
        return _("系统")
    if (party_ is Party.SENDER) == npc_sends:
        return _("人大方")
    return _("检察院方")


def party(referral, action_: Action) -> str:
    from .permissions import rule_for

    rule = rule_for(referral, action_)
    return party_name(referral.direction, rule.party) if rule else ""


def due_status(value) -> str:
    from .deadlines import DueStatus

    if value is None:
        return ""
    return {DueStatus.NORMAL: _("正常"), DueStatus.DUE_SOON: _("临期"), DueStatus.OVERDUE: _("逾期"),
            DueStatus.SEVERELY_OVERDUE: _("严重逾期")}[value]
