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


def action(value: Action | str) -> str:
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


def due_kind(value) -> str:
    from .deadlines import DueKind

    return {DueKind.ACK: _("签收期限"), DueKind.PROCEDURAL: _("程序性答复期限"), DueKind.RESULT: _("办理期限"),
            DueKind.CAP: _("最长办理期限"), DueKind.EVALUATION: _("评价期限")}[value]


def guard(names: str) -> str:
    """The workflow table's named conditions (`"a; b"`), in words; an unknown name is shown as is."""
    known = {
        "before_acknowledgement": _("仅限对方签收前"),
        "before_receipt": _("仅限对方接收前"),
        "reason_and_receiver": _("须说明理由并建议接收单位（管辖不符）"),
        "another_receiver": _("须改送其他接收单位"),
        "procedural_reply": _("须填写程序性答复"),
        "department_in_receiver": _("交办给本院内设部门及其承办人"),
        "no_pending_request": _("没有待审批的延期申请；不超过类型允许的延期次数"),
        "pending_request": _("有待审批的延期申请"),
        "within_cap": _("不超过最长办理期限"),
        "outcome_and_text": _("须选择办理结果并填写答复内容"),
        "evaluator": _("由交办方或提出建议的代表评价"),
        "reasons_if_dissatisfied": _("不满意须说明理由；类型允许时重新办理（轮次加一），否则要求补充说明"),
        "evaluation_window_passed": _("评价期限届满并已提醒，仍未反馈"),
        "deputy_suggestion": _("仅限代表建议（涉及具体案件的转为代表来信）"),
        "session_date": _("须填写常委会会议日期"),
        "opinions_text": _("须填写审议意见，并生成新的审议意见事项移送检察院"),
        "tally": _("须填写表决票数；未过半数满意的须重新报告"),
    }
    return _("；").join(known.get(name.strip(), name.strip()) for name in names.split(";") if name.strip())


def period(amount: int | None, unit) -> str:
    """"3 个工作日", "15 日", "3 个月"; "" when there is no such period."""
    from ..workdays import PeriodUnit

    if not amount:
        return ""
    return {PeriodUnit.WORKING_DAYS: _("%(n)d 个工作日", n=amount), PeriodUnit.DAYS: _("%(n)d 日", n=amount),
            PeriodUnit.MONTHS: _("%(n)d 个月", n=amount)}[unit]


def unit(value) -> str:
    from ..workdays import PeriodUnit

    return {PeriodUnit.WORKING_DAYS: _("工作日"), PeriodUnit.DAYS: _("自然日"), PeriodUnit.MONTHS: _("月")}[value]


def approver(value) -> str:
    from .models import Approver

    return {Approver.SENDER: _("交办方审批"), Approver.RECEIVER: _("承办单位负责人审批")}[value]


def classification(value) -> str:
    from .models import Classification

    return {Classification.PUBLIC: _("公开"), Classification.INTERNAL: _("内部"),
            Classification.SENSITIVE: _("敏感")}[value]


def side(value: str) -> str:
    """The side stored on timeline events and messages."""
    return {"npc": _("人大方"), "procuratorate": _("检察院方"), "system": _("系统")}.get(value, value)
