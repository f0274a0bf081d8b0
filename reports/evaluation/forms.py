"""Evaluation forms (shape only; the services check the rules)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from oversight.accounts.forms import MultiCheckboxField

try:  # WTForms ≥ 3.3 deprecates (value, label) tuples given to a field's constructor
    from wtforms.fields.choices import SelectChoice as _choice
except ImportError:  # older WTForms: plain tuples
    def _choice(value, label):
        return (value, label)

INVALID_TIME = _l("请输入有效的日期和时间。")


def _moment(label, message):
    return DateTimeLocalField(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                              validators=[DataRequired(message)], invalid_value_message=INVALID_TIME)


def to_utc(local: dt.datetime | None) -> dt.datetime | None:
    """A wall-clock time typed in the deployment's time zone (Asia/Shanghai) as a UTC instant."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(dt.timezone.utc)


def to_local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


class CampaignForm(FlaskForm):
    title = StringField(_l("评议名称"), validators=[DataRequired(_l("请填写评议名称。")), Length(max=200)])
    description = TextAreaField(_l("评议说明（公开）"), validators=[Optional(), Length(max=5000)],
                                render_kw={"rows": 4},
                                description=_l("显示在评议页面上，请勿填写个人信息。"))
    opens_at = _moment(_l("开始时间（北京时间）"), _l("请填写开始时间。"))
    closes_at = _moment(_l("结束时间（北京时间）"), _l("请填写结束时间。"))
    items = MultiCheckboxField(_l("评议事项（已公开发布的事项）"), coerce=int, choices=[], validate_choice=False)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("保存"))


class InvitationsForm(FlaskForm):
    count = IntegerField(_l("生成数量"), default=10, validators=[
        DataRequired(_l("请填写生成数量。")), NumberRange(min=1, max=500, message=_l("一次可生成 1 至 500 个邀请码。"))])
    labels = TextAreaField(_l("备注或受邀人（每行一个，可不填；仅工作人员可见）"), validators=[Optional(), Length(max=60_000)],
                           render_kw={"rows": 4})
    output = RadioField(_l("生成后"), choices=[_choice("html", _l("打开打印页")), _choice("pdf", _l("下载 PDF"))], default="html")
    submit = SubmitField(_l("生成邀请码"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("取消原因"), validators=[DataRequired(_l("请填写取消原因。")), Length(max=2000)],
                           render_kw={"rows": 2})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField(_l("取消评议"))


class CodeForm(FlaskForm):
    """The public entry: type the code from a printed invitation (no CSRF token: public pages set no cookie)."""

    class Meta:
        csrf = False

    code = StringField(_l("评议码"), validators=[DataRequired(_l("请输入邀请函上的评议码。")), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
                       description=_l("16 位字母和数字，可带或不带连字符。"))
    submit = SubmitField(_l("开始评议"))
