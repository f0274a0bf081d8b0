from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from ..forms import INVALID_CHOICE, date_field, pick, text_field


def _version():
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


class MinutesForm(FlaskForm):
    """Summary here; attendance (`present`) and each item's `discussion-<id>` come with the same POST."""

    summary = text_field(_l("会议概况"), rows=5)
    version = _version()
    submit = SubmitField(_l("保存纪要"))


class DecisionForm(FlaskForm):
    text = text_field(_l("议定事项"), _l("请填写议定事项。"), rows=2)
    agenda_item = pick(_l("所属议程"))
    owner_org = pick(_l("责任单位"), description=_l("填写责任单位和完成期限的议定事项，在纪要审定后成为待办事项。"))
    owner = pick(_l("责任人"))
    due_on = date_field(_l("完成期限"))
    submit = SubmitField(_l("增加议定事项"))


class StepForm(FlaskForm):
    version = _version()
    submit = SubmitField()


class AmendmentForm(FlaskForm):
    text = text_field(_l("内容"), _l("请填写修改意见或更正内容。"))
    submit = SubmitField(_l("提交"))


class CompleteForm(FlaskForm):
    note = text_field(_l("完成情况"))
    version = _version()
    submit = SubmitField(_l("标记完成"))


class DropForm(FlaskForm):
    reason = text_field(_l("撤销理由"), _l("撤销待办事项须说明理由。"))
    version = _version()
    submit = SubmitField(_l("撤销"))


class SpawnForm(FlaskForm):
    rtype = pick(_l("事项类型"), _l("请选择事项类型。"))
    title = StringField(_l("标题"), validators=[Optional(), Length(max=200)])
    version = _version()
    submit = SubmitField(_l("生成移送事项草稿"))


class SpawnTopicForm(FlaskForm):
    lead_body = pick(_l("牵头机构"), _l("请选择牵头的人大常委会工作机构。"))
    area = SelectField(_l("领域"), choices=[], invalid_choice_message=INVALID_CHOICE)
    title = StringField(_l("议题名称"), validators=[Optional(), Length(max=200)])
    version = _version()
    submit = SubmitField(_l("生成监督议题"))


__all__ = ["AmendmentForm", "CompleteForm", "DecisionForm", "DropForm", "MinutesForm", "SpawnForm",
           "SpawnTopicForm", "StepForm"]
