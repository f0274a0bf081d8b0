from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from wtforms.widgets import HiddenInput

from ..forms import INVALID_CHOICE, date_field, pick, text_field
from ..labels import choices
from ..meetings.forms import _moment
from .models import ExchangeKind

try:  # WTForms ≥ 3.3 deprecates (value, label) tuples given to a field's constructor
    from wtforms.fields.choices import SelectChoice as _choice
except ImportError:  # older WTForms: plain tuples
    def _choice(value, label):
        return (value, label)


class ActivityForm(FlaskForm):
    kind = SelectField(_l("活动类型"), choices=[], invalid_choice_message=INVALID_CHOICE)
    title = StringField(_l("活动名称"), validators=[DataRequired(_l("请填写活动名称。")), Length(max=200)])
    partner = pick(_l("对方单位"), _l("请选择对方单位。"))
    starts_at = _moment(_l("开始时间（北京时间）"), _l("请填写开始时间。"))
    ends_at = _moment(_l("结束时间（北京时间）"), _l("请填写结束时间。"))
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    description = text_field(_l("活动说明"))
    submit = SubmitField(_l("保存"))

    def set_choices(self, partners) -> None:
        self.kind.choices = choices(ExchangeKind)
        self.partner.choices = [(o.id, o.name) for o in partners]


class InviteForm(FlaskForm):
    users = SelectMultipleField(_l("邀请人员"), coerce=int, choices=[], invalid_choice_message=INVALID_CHOICE,
                                validators=[DataRequired(_l("请选择要邀请的人员。"))], render_kw={"size": 8})
    submit = SubmitField(_l("发送邀请"))


class RespondForm(FlaskForm):
    answer = RadioField(_l("回复"), choices=[_choice("yes", _l("参加")), _choice("no", _l("谢绝"))],
                        validators=[DataRequired(_l("请选择参加或谢绝。"))], invalid_choice_message=INVALID_CHOICE)
    reason = text_field(_l("理由（谢绝时必填）"), limit=1000, rows=2)
    submit = SubmitField(_l("提交回复"))


class AttendanceForm(FlaskForm):
    outputs = text_field(_l("活动成果（课题成果、意见建议等）"))
    submit = SubmitField(_l("登记出席情况"))


class FeedbackForm(FlaskForm):
    text = text_field(_l("反馈意见"), _l("请填写反馈意见。"))
    submit = SubmitField(_l("提交反馈"))


class CancelForm(FlaskForm):
    reason = text_field(_l("取消原因"), _l("请说明取消活动的原因。"))
    submit = SubmitField(_l("取消活动"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("里程碑"), validators=[DataRequired(_l("请填写里程碑名称。")), Length(max=200)])
    due_on = date_field(_l("完成期限"), _l("请填写完成期限。"))
    submit = SubmitField(_l("增加里程碑"))


class MilestoneDoneForm(FlaskForm):
    output = text_field(_l("阶段成果"), _l("请填写阶段成果。"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("标记完成"))
