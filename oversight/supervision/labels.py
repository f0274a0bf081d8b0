"""Chinese labels of the alert states, actions, severities and evidence kinds (translated at call time)."""
from __future__ import annotations

from flask_babel import gettext as _

from .models import RunStatus
from .workflow import AlertAction, AlertState, Severity


def state(value) -> str:
    return {AlertState.NEW: _("待研判"), AlertState.CONFIRMED: _("已确认"), AlertState.CONVERTED: _("已转为议题"),
            AlertState.DISMISSED: _("已排除")}.get(AlertState(value), str(value))


def action(value) -> str:
    return {AlertAction.CONFIRM: _("确认预警"), AlertAction.CONVERT: _("转为监督议题"),
            AlertAction.DISMISS: _("排除预警")}.get(AlertAction(value), str(value))


def severity(value) -> str:
    return {Severity.LOW: _("提示"), Severity.MEDIUM: _("关注"), Severity.HIGH: _("严重")}.get(Severity(value), str(value))


def run_status(value) -> str:
    return {RunStatus.RUNNING: _("运行中"), RunStatus.SUCCEEDED: _("已完成"), RunStatus.FAILED: _("失败")}.get(
        RunStatus(value), str(value))


def evidence_kind(kind: str) -> str:
    return {"referral": _("移送事项"), "rectification_item": _("整改事项"), "clue": _("线索"), "topic": _("监督议题"),
            "organisation": _("单位")}.get(kind, kind)
