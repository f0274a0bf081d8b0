"""Forms of the clue pages: shape only; the services check the rules and give the messages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from . import categories, labels, queries
from .workflow import ClueSource, ClueState


class ClueForm(FlaskForm):
    """The public form. Lengths and choices are checked by `services.submit` with Chinese messages."""

    receiving_org = SelectField(_l("受理机关"), coerce=int, validate_choice=False)
    category = SelectField(_l("线索类别"), validate_choice=False)
    title = StringField(_l("标题"))
    description = TextAreaField(_l("线索内容"), render_kw={"rows": 8})
    place = StringField(_l("发生地点"))
    contact_name = StringField(_l("姓名"))
    contact_phone = StringField(_l("联系电话"))
    contact_email = StringField(_l("电子邮箱"))
    files = MultipleFileField(_l("附件"))
    challenge = HiddenField()
    answer = StringField(_l("验证题答案"), render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def set_choices(self, committees) -> None:
        self.category.choices = [("", str(_l("请选择")))] + categories.choices()
        self.receiving_org.choices = [(o.id, o.name) for o in committees]


class StatusForm(FlaskForm):
    code = StringField(_l("线索编号"), render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    secret = StringField(_l("查询密码"), render_kw={"autocomplete": "off", "autocapitalize": "characters"})


_ANY = {"choices": [], "validators": [Optional()], "validate_choice": False}


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("关键词"), validators=[Optional()], render_kw={"placeholder": _l("标题或线索编号")})
    state = SelectField(_l("状态"), **_ANY)
    category = SelectField(_l("类别"), **_ANY)
    source = SelectField(_l("来源"), **_ANY)
    station = SelectField(_l("联络站"), coerce=int, **_ANY)
    date_from = DateField(_l("收到日期自"), validators=[Optional()])
    date_to = DateField(_l("至"), validators=[Optional()])

    def set_choices(self, user) -> None:
        every = str(_l("全部"))
        self.state.choices = [("", every)] + [(s.value, labels.state(s)) for s in ClueState]
        self.category.choices = [("", every)] + categories.choices()
        self.source.choices = [("", every)] + [(s.value, labels.source(s)) for s in ClueSource]
        self.station.choices = [(0, every)] + [(o.id, o.name) for o in queries.stations(user)]

    def filters(self) -> queries.Filters:
        def ok(field):
            return field.data if not field.errors and field.data else None

        state = ok(self.state) if ok(self.state) in {s.value for s in ClueState} else None
        source = ok(self.source) if ok(self.source) in {s.value for s in ClueSource} else None
        category = ok(self.category) if ok(self.category) in categories.CATEGORIES else None
        return queries.Filters(
            state=ClueState(state) if state else None, category=category,
            source=ClueSource(source) if source else None, station_id=ok(self.station),
            date_from=ok(self.date_from), date_to=ok(self.date_to), keyword=(self.q.data or "").strip()[:100])


class ConvertForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    type = SelectField(_l("事项类型"), coerce=int, validate_choice=False)


class MergeForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    into = StringField(_l("合并到线索（编号）"))


class DeclineForm(FlaskForm):
    version = IntegerField(validators=[Optional()])
    reason = TextAreaField(_l("不予采用的理由（线索提供人可以看到）"), render_kw={"rows": 3})


