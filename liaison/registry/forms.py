from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from ..forms import INVALID_CHOICE, date_field, pick
from ..labels import choices
from .models import ContactRole


class DesignationForm(FlaskForm):
    body = pick(_l("联络机构"), _l("请选择联络机构。"))
    person = pick(_l("联络人"), _l("请选择联络人。"))
    contact_role = SelectField(_l("联络人角色"), choices=[], invalid_choice_message=INVALID_CHOICE)
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=40)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=120)])
    valid_from = date_field(_l("起始日期"), _l("请填写起始日期。"))
    valid_to = date_field(_l("截止日期"), description=_l("不填表示长期有效；更换联络人时旧的指定自动截止。"))
    note = StringField(_l("备注"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("保存指定"))

    def set_choices(self, bodies, people) -> None:
        self.body.choices = [(o.id, o.name) for o in bodies]
        self.person.choices = [(u.id, f"{u.display_name}（{u.organisation.name}）") for u in people]
        self.contact_role.choices = choices(ContactRole)


class EndForm(FlaskForm):
    last_day = date_field(_l("截止日期"), _l("请填写截止日期。"))
    submit = SubmitField(_l("结束指定"))
