from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ..forms import INVALID_CHOICE, INVALID_TIME, pick, text_field
from ..labels import choices
from .workflow import MeetingKind, Response


def _moment(label, message):
    return DateTimeLocalField(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                              validators=[DataRequired(message)], invalid_value_message=INVALID_TIME)


class MeetingForm(FlaskForm):
    kind = SelectField(_l("会议类型"), choices=[], invalid_choice_message=INVALID_CHOICE)
    title = StringField(_l("会议名称"), validators=[DataRequired(_l("请填写会议名称。")), Length(max=200)])
    counterpart = pick(_l("对方单位"), _l("请选择对方单位。"))
    starts_at = _moment(_l("开始时间（北京时间）"), _l("请填写开始时间。"))
    ends_at = _moment(_l("结束时间（北京时间）"), _l("请填写结束时间。"))
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    online_url = StringField(_l("线上会议链接"), validators=[Optional(), Length(max=300)])
    description = text_field(_l("会议说明"))
    agenda = text_field(_l("议程（每行一项）"), rows=4,
                        description=_l("以前会议尚未完成的待办事项会自动列入议程。"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("保存"))

    def set_choices(self, counterparts) -> None:
        self.kind.choices = choices(MeetingKind)
        self.counterpart.choices = [(o.id, o.name) for o in counterparts]


class InviteForm(FlaskForm):
    users = SelectMultipleField(_l("邀请人员"), coerce=int, choices=[], invalid_choice_message=INVALID_CHOICE,
                                validators=[DataRequired(_l("请选择要邀请的人员。"))],
                                render_kw={"size": 8})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("发送邀请"))


class AgendaForm(FlaskForm):
    title = StringField(_l("议题"), validators=[Optional(), Length(max=200)])
    referral = pick(_l("关联移送事项"))
    topic = pick(_l("关联监督议题"))
    report = pick(_l("关联报告"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("增加议程"))


class CancelForm(FlaskForm):
    reason = text_field(_l("取消原因"), _l("请说明取消会议的原因。"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("取消会议"))


class HoldForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("确认召开并起草纪要"))


class RsvpForm(FlaskForm):
    response = RadioField(_l("回复"), choices=[], validators=[DataRequired(_l("请选择接受、谢绝或委派他人参加。"))],
                          invalid_choice_message=INVALID_CHOICE)
    reason = text_field(_l("理由（谢绝时必填）"), limit=1000, rows=2)
    delegate = pick(_l("委派人员"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("提交回复"))

    def set_choices(self, colleagues) -> None:
        self.response.choices = [c for c in choices(Response) if c[0] != Response.PENDING.value]
        self.delegate.choices = [(0, str(_l("— 无 —")))] + [(u.id, u.display_name) for u in colleagues]


class FeedForm(FlaskForm):
    submit = SubmitField(_l("生成新的订阅地址"))


class ListFilter(FlaskForm):
    class Meta:
        csrf = False

    month = HiddenField()
