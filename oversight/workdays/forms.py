from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

try:  # WTForms ≥ 3.3 deprecates (value, label) tuples given to a SelectField's constructor
    from wtforms.fields.choices import SelectChoice as _choice
except ImportError:  # older WTForms: plain tuples
    def _choice(value, label):
        return (value, label)


class DayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请输入日期。"))])
    working = SelectField(_l("安排"), choices=[_choice("0", _l("放假")), _choice("1", _l("上班（调休）"))])
    name = StringField(_l("名称"), validators=[Optional(), Length(max=40)], description=_l("如：春节、国庆节。"))
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class NoticeForm(FlaskForm):
    year = IntegerField(_l("年份"), validators=[DataRequired(_l("请输入年份。")), NumberRange(2000, 2100)])
    title = StringField(_l("通知标题"), validators=[DataRequired(_l("请填写通知标题。")), Length(max=200)],
                        description=_l("如：国务院办公厅关于2027年部分节假日安排的通知"))
    published_on = DateField(_l("发布日期"), validators=[Optional()])
    lines = TextAreaField(_l("放假与调休安排"), validators=[DataRequired(_l("请录入放假与调休安排。"))],
                          description=_l("每行一项：日期或日期范围、放假/上班、名称。"
                                         "例：2027-02-05~2027-02-11 放假 春节；2027-02-20 上班 春节调休"),
                          render_kw={"rows": 10})


class ComputeForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("起算日"), validators=[DataRequired(_l("请输入起算日。"))])
    # InputRequired, not DataRequired: 0 is a valid amount and DataRequired rejects falsy data.
    amount = IntegerField(_l("期限"), validators=[InputRequired(_l("请输入期限。")), NumberRange(0, 400)])
    unit = SelectField(_l("单位"), choices=[_choice("working_days", _l("个工作日")),
                                           _choice("days", _l("日（自然日）")), _choice("months", _l("个月"))])
