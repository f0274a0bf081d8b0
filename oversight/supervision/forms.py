"""Forms of the model and alert pages: shape only; the services check bounds, schedules and states."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ModelForm(FlaskForm):
    """The fixed fields; each parameter is an input named `param_<name>` read by the view."""
    name = StringField(_l("模型名称"), validators=[DataRequired(_l("请填写模型名称。")), Length(max=100)])
    purpose = TextAreaField(_l("用途"), validators=[Length(max=2000)])
    legal_basis = TextAreaField(_l("法律依据"), validators=[Length(max=2000)])
    cron = StringField(_l("运行时间（分 时 日 月 星期，北京时间）"), validators=[
        DataRequired(_l("请填写定时表达式。")), Length(max=100)])
    version = HiddenField()


class RunForm(FlaskForm):
    period = StringField(_l("期间（2026-11-30 或 2026-11）"), validators=[DataRequired(_l("请填写期间。")),
                                                                       Length(max=20)])


class ImportForm(FlaskForm):
    package = FileField(_l("模型包（JSON 文件）"))


class DismissForm(FlaskForm):
    reason = TextAreaField(_l("排除理由"), validators=[DataRequired(_l("排除预警须说明理由。")), Length(max=2000)])
    version = HiddenField()


class ConvertForm(FlaskForm):
    title = StringField(_l("议题名称"), validators=[DataRequired(_l("请填写议题名称。")), Length(max=200)])
    lead_body = SelectField(_l("牵头机构"), coerce=int, validators=[DataRequired(_l("请选择牵头机构。"))],
                            invalid_choice_message=_l("请从列表中选择。"))
    version = HiddenField()
