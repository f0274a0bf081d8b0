"""Chinese labels of the clue workflow (msgids; English in the catalogue)."""
from __future__ import annotations

from flask_babel import gettext as _

from .workflow import ClueAction, ClueSource, ClueState


def state(value: ClueState) -> str:
    return {ClueState.RECEIVED: _("已收到"), ClueState.CONVERTED: _("已转为移送事项"),
            ClueState.MERGED: _("已合并"), ClueState.DECLINED: _("不予采用")}[ClueState(value)]


def public_state(value: ClueState) -> str:
    """What the sender reads: the outcome, never the internal steps."""
    return {ClueState.RECEIVED: _("已收到，正在处理"),
            ClueState.CONVERTED: _("已转为移送事项，交由人民检察院依法办理"),
            ClueState.MERGED: _("与反映同一问题的其他线索合并处理"),
            ClueState.DECLINED: _("不予采用")}[ClueState(value)]


def action(value: ClueAction) -> str:
    return {ClueAction.CONVERT: _("转为移送事项"), ClueAction.MERGE: _("合并到其他线索"),
            ClueAction.DECLINE: _("不予采用")}[ClueAction(value)]


def source(value: ClueSource) -> str:
    return {ClueSource.PUBLIC: _("公众"), ClueSource.STATION: _("代表联络站"),
            ClueSource.DEPUTY: _("人大代表")}[ClueSource(value)]
