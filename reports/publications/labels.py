"""Chinese names (through the catalog) for the publication vocabulary."""
from __future__ import annotations

from flask_babel import gettext as _

from .workflow import PubAction, PubKind, PubState


def kind(value: PubKind) -> str:
    return {PubKind.KEY_TOPIC: _("重点议题"), PubKind.RECTIFICATION_STATUS: _("整改情况"),
            PubKind.TYPICAL_CASE: _("典型案例"), PubKind.PUBLIC_REPORT: _("公开报告")}[PubKind(value)]


def state(value: PubState) -> str:
    return {PubState.DRAFT: _("草稿"), PubState.IN_REVIEW: _("待审核"), PubState.PUBLISHED: _("已发布"),
            PubState.WITHDRAWN: _("已撤回")}[PubState(value)]


def action(value: PubAction) -> str:
    return {PubAction.EDIT: _("编辑"), PubAction.SUBMIT: _("提交审核"), PubAction.REDACT: _("遮蔽"),
            PubAction.JUSTIFY: _("说明保留理由"), PubAction.SEND_BACK: _("退回修改"), PubAction.PUBLISH: _("审核发布"),
            PubAction.WITHDRAW: _("撤回")}[PubAction(value)]
