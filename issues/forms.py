"""Forms of the topic pages: shape only (required, lengths, choices); the services check the rules.

Action forms carry the record's `version` so a page someone else has since changed is answered with
a conflict, and are built with `prefix=<action>` so that several fit on one page.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from oversight.accounts.forms import MultiCheckboxField
from oversight.referrals.models import Classification
from oversight.referrals.labels import classification as classification_label

from . import labels
from .models import Area
from .services.common import MAX_TEXT, MAX_TITLE
from .workflow import ItemAction, ItemState, Severity, TopicAction, TopicState

INVALID_CHOICE = _l("请从列表中选择。")
BAD_DATE = _l("请输入有效日期（年-月-日）。")


def _text(label, message=None, *, limit=MAX_TEXT, rows=3):
    checks = [DataRequired(message), Length(max=limit)] if message else [Optional(), Length(max=limit)]
    return TextAreaField(label, validators=checks, render_kw={"rows": rows})


def _pick(label, *, required=None):
    checks = [DataRequired(required)] if required else [Optional()]
    return SelectField(label, coerce=int, choices=[], validators=checks, invalid_choice_message=INVALID_CHOICE)


def _none_first(text):
    return [(0, str(text))]


class TopicForm(FlaskForm):
    title = StringField(_l("议题名称"), validators=[DataRequired(_l("请填写议题名称。")), Length(max=MAX_TITLE)])
    description = _text(_l("议题说明"))
    area = SelectField(_l("领域"), choices=[], invalid_choice_message=INVALID_CHOICE)
    lead_body = _pick(_l("牵头机构"), required=_l("请选择牵头的人大常委会工作机构。"))
    classification = SelectField(_l("密级"), choices=[], invalid_choice_message=INVALID_CHOICE)
    referrals = MultiCheckboxField(_l("来源移送事项"), coerce=int, choices=[], validate_choice=True)

    def set_choices(self, bodies, referrals) -> None:
        self.area.choices = [(a.value, labels.area(a)) for a in Area]
        self.lead_body.choices = _none_first(_l("— 请选择 —")) + [(o.id, o.name) for o in bodies]
        self.classification.choices = [(c.value, classification_label(c)) for c in Classification]
        if not self.classification.data:
            self.classification.data = Classification.INTERNAL.value
        self.referrals.choices = [(r.id, f"{r.serial or ''} {r.title}") for r in referrals]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("状态"), choices=[], validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    area = SelectField(_l("领域"), choices=[], validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    unit = _pick(_l("责任单位"))
    overdue = BooleanField(_l("只看有逾期事项的议题"))
    keyword = StringField(_l("关键词"), validators=[Optional(), Length(max=100)])

    def set_choices(self, units) -> None:
        self.state.choices = [("", str(_l("全部")))] + [(s.value, labels.topic_state(s)) for s in TopicState]
        self.area.choices = [("", str(_l("全部")))] + [(a.value, labels.area(a)) for a in Area]
        self.unit.choices = _none_first(_l("全部")) + [(o.id, o.name) for o in units]


class ProblemForm(FlaskForm):
    description = _text(_l("问题描述"), _l("请填写问题描述。"))
    evidence = _text(_l("证据（材料名称、链接）"))
    category = StringField(_l("类别"), validators=[Optional(), Length(max=60)])
    severity = SelectField(_l("严重程度"), choices=[], invalid_choice_message=INVALID_CHOICE)

    def set_choices(self) -> None:
        self.severity.choices = [(s.value, labels.severity(s)) for s in Severity]


class ResponsibilityForm(FlaskForm):
    problem = _pick(_l("问题"), required=_l("请选择问题。"))
    lead_unit = _pick(_l("牵头责任单位"))
    co_units = MultiCheckboxField(_l("协同单位"), coerce=int, choices=[], validate_choice=True)
    responsible_person = StringField(_l("责任人"), validators=[Optional(), Length(max=60)])
    legal_basis = _text(_l("法律依据"))

    def set_choices(self, topic, units) -> None:
        self.problem.choices = _none_first(_l("— 请选择 —")) + [
            (p.id, f"{p.number}. {p.description[:40]}") for p in topic.problems]
        self.lead_unit.choices = _none_first(_l("— 请选择 —")) + [(o.id, o.name) for o in units]
        self.co_units.choices = [(o.id, o.name) for o in units]


class ItemForm(FlaskForm):
    responsibility = _pick(_l("责任单位（对应责任清单）"))
    measures = _text(_l("整改措施"), _l("请填写整改措施。"))
    milestones = _text(_l("节点安排"))
    due_date = DateField(_l("整改期限"), validators=[Optional()], invalid_value_message=BAD_DATE)
    responsible_person = StringField(_l("责任人"), validators=[Optional(), Length(max=60)])
    progress_every_days = IntegerField(_l("进展报告周期（天）"), default=30, validators=[Optional()],
                                       render_kw={"min": 1, "max": 366})

    def set_choices(self, topic) -> None:
        self.responsibility.choices = _none_first(_l("— 请选择 —")) + [
            (r.id, f"{p.number}. {r.lead_unit.name}") for p in topic.problems for r in p.responsibilities]


class SourceForm(FlaskForm):
    referral = _pick(_l("移送事项"), required=_l("请选择移送事项。"))


# --- topic actions ---------------------------------------------------------------------------------

class _Versioned(FlaskForm):
    version = IntegerField(widget=HiddenInput())


class ReasonForm(_Versioned):
    reason = _text(_l("理由"), _l("请说明理由。"))


class NoteForm(_Versioned):
    note = _text(_l("说明"))


class EvaluateForm(_Versioned):
    evaluation = _text(_l("整改评估意见"), _l("请填写整改评估意见。"), rows=4)


TOPIC_FORMS = {TopicAction.SUBMIT: NoteForm, TopicAction.SEND_BACK: ReasonForm, TopicAction.ISSUE: NoteForm,
               TopicAction.REVISE: ReasonForm, TopicAction.EVALUATE: EvaluateForm, TopicAction.CLOSE: NoteForm}


# --- item actions ----------------------------------------------------------------------------------

class ProgressForm(_Versioned):
    percent = IntegerField(_l("完成进度（%）"), validators=[Optional()], render_kw={"min": 0, "max": 100},
                           description=_l("0 到 100 的整数；低于上次报告时须说明原因。"))
    text = _text(_l("进展情况"), _l("请填写进展情况。"))
    evidence = _text(_l("佐证材料（名称、链接）"))
    lower_reason = _text(_l("进度下降的原因"))


class AcceptForm(_Versioned):
    percent = IntegerField(_l("认定进度（%）"), validators=[Optional()], render_kw={"min": 0, "max": 100})
    note = _text(_l("说明"))


class ExtensionForm(_Versioned):
    until = DateField(_l("延期至"), validators=[Optional()], invalid_value_message=BAD_DATE)
    reason = _text(_l("延期理由"), _l("请说明延期理由。"))


class DecideForm(_Versioned):
    approve = SelectField(_l("审批意见"), choices=[], invalid_choice_message=INVALID_CHOICE)
    note = _text(_l("说明"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.approve.choices = [("yes", str(_l("同意"))), ("no", str(_l("不同意")))]


ITEM_FORMS = {ItemAction.START: NoteForm, ItemAction.REPORT_PROGRESS: ProgressForm,
              ItemAction.REQUEST_SIGNOFF: NoteForm, ItemAction.SIGN_OFF: NoteForm, ItemAction.RETURN: ReasonForm,
              ItemAction.ACCEPT_PROGRESS: AcceptForm, ItemAction.URGE: NoteForm,
              ItemAction.REQUEST_EXTENSION: ExtensionForm, ItemAction.DECIDE_EXTENSION: DecideForm,
              ItemAction.REOPEN: ReasonForm}


def action_form(forms: dict, action, record, formdata=None):
    form = forms[action](formdata=formdata, prefix=action.value)
    if formdata is None:
        form.version.data = record.version
    return form


class ImportForm(FlaskForm):
    file = FileField(_l("整改进展表（XLSX）"), validators=[FileRequired(_l("请选择要导入的 XLSX 文件。"))])




class ItemFilterForm(FlaskForm):
    """The items list: a responsible unit's items (the owner side picks a unit)."""

    class Meta:
        csrf = False

    state = SelectField(_l("状态"), choices=[], validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    due = SelectField(_l("期限"), choices=[], validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    unit = _pick(_l("责任单位"))

    def set_choices(self, units) -> None:
        self.state.choices = ([("", str(_l("未销号"))), ("all", str(_l("全部")))]
                              + [(s.value, labels.item_state(s)) for s in ItemState])
        self.due.choices = [("", str(_l("全部"))), ("overdue", str(_l("已逾期"))), ("due_soon", str(_l("临期")))]
        self.unit.choices = _none_first(_l("全部")) + [(o.id, o.name) for o in units]
