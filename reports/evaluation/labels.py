"""Chinese labels of the evaluation enums (msgids; English in the catalogue)."""
from __future__ import annotations

from flask_babel import gettext as _

from .workflow import Action, InvitationState, Rating, State


def label(value) -> str:
    table = {
        State.DRAFT: _("草稿"), State.OPEN: _("评议中"), State.CLOSED: _("已结束"),
        State.PUBLISHED: _("结果已公布"), State.CANCELLED: _("已取消"),
        Action.EDIT: _("修改评议信息"), Action.INVITE: _("生成邀请码"), Action.REVOKE: _("作废邀请码"),
        Action.OPEN: _("开始评议"), Action.CLOSE: _("结束评议"), Action.PUBLISH: _("公布结果"),
        Action.CANCEL: _("取消评议"),
        Rating.SATISFIED: _("满意"), Rating.BASICALLY_SATISFIED: _("基本满意"), Rating.DISSATISFIED: _("不满意"),
        InvitationState.UNUSED: _("未使用"), InvitationState.USED: _("已提交"), InvitationState.REVOKED: _("已作废"),
    }
    return table.get(value, str(value))
