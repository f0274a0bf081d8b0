from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, HiddenField, PasswordField, SelectField,
                     SelectMultipleField, StringField)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from .models import Role


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=60)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码。"))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。")), Length(max=200)],
                                 description=_l("至少 10 个字符，须同时包含字母和数字。"),
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(_l("请再次输入新密码。")), EqualTo("new_password", _l("两次输入的新密码不一致。"))],
        render_kw={"autocomplete": "new-password"})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[
        DataRequired(_l("请输入用户名。")), Length(min=3, max=60, message=_l("用户名长度须为 3–60 个字符。")),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("用户名只能包含字母、数字和 _ . -。"))])
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=60)])
    organisation = SelectField(_l("所在单位"), coerce=int, validators=[DataRequired(_l("请选择所在单位。"))])
    roles = MultiCheckboxField(_l("角色"), choices=[], validate_choice=True)
    email = EmailField(_l("电子邮箱"), validators=[Optional(), Email(_l("电子邮箱格式不正确。")), Length(max=120)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=40)])
    password = PasswordField(_l("初始密码"), validators=[Optional(), Length(max=200)],
                             description=_l("新账户必填；用户首次登录时须修改。"),
                             render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("启用"), default=True)
    delegation = StringField(_l("所在代表团"), validators=[Optional(), Length(max=80)],
                             description=_l("仅人大代表填写。"))
    term = StringField(_l("届别"), validators=[Optional(), Length(max=40)], description=_l("如：第六届。"))
    liaison_station = SelectField(_l("代表联络站"), coerce=int, validators=[Optional()])
    version = HiddenField()

    def set_role_choices(self) -> None:
        self.roles.choices = [(r.value, str(r.label)) for r in Role]


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("临时密码"), validators=[DataRequired(_l("请输入临时密码。")), Length(max=200)],
                                 description=_l("用户下次登录时须修改。"), render_kw={"autocomplete": "new-password"})
