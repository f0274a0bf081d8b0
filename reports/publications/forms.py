"""Forms of the publication pages: shape only; the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from . import labels
from .services import MAX_BODY, MAX_SUMMARY, MAX_TITLE
from .workflow import PubKind, PubState

INVALID_CHOICE = _l("请从列表中选择。")


class PublicationForm(FlaskForm):
    kind = SelectField(_l("类别"), choices=[], invalid_choice_message=INVALID_CHOICE)
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题。")), Length(max=MAX_TITLE)])
    summary = TextAreaField(_l("摘要"), validators=[Optional(), Length(max=MAX_SUMMARY)], render_kw={"rows": 2},
                            description=_l("显示在列表、订阅和分享卡片中。"))
    body = TextAreaField(_l("正文"), validators=[Optional(), Length(max=MAX_BODY)], render_kw={"rows": 12})
    topic = SelectField(_l("监督议题"), coerce=int, choices=[], validators=[Optional()],
                        invalid_choice_message=INVALID_CHOICE,
                        description=_l("重点议题和整改情况须选择本级人大常委会密级为“公开”的议题。"))
    report_run = SelectField(_l("公开报告"), coerce=int, choices=[], validators=[Optional()],
                             invalid_choice_message=INVALID_CHOICE,
                             description=_l("只能选择密级为“公开”且已生成的月度、季度或年度统计报告。"))
    private_names = TextAreaField(_l("涉及的自然人姓名（内部，不公开）"), validators=[Optional(), Length(max=5000)],
                                  render_kw={"rows": 3},
                                  description=_l("每行一个。脱敏检查会在标题、摘要和正文中查找这些姓名。"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def set_choices(self, topics, runs, *, with_kind: bool = True) -> None:
        self.kind.choices = [(k.value, labels.kind(k)) for k in PubKind]
        if not with_kind:
            del self.kind
        self.topic.choices = [(0, str(_l("— 不关联 —")))] + [(t.id, f"{t.serial or ''} {t.title}") for t in topics]
        self.report_run.choices = [(0, str(_l("— 不关联 —")))] + [(r_id, text) for r_id, text in runs]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("状态"), choices=[], validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    kind = SelectField(_l("类别"), choices=[], validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    keyword = StringField(_l("标题关键词"), validators=[Optional(), Length(max=100)])

    def set_choices(self) -> None:
        self.state.choices = [("", str(_l("全部")))] + [(s.value, labels.state(s)) for s in PubState]
        self.kind.choices = [("", str(_l("全部")))] + [(k.value, labels.kind(k)) for k in PubKind]


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(_l("请填写理由。")), Length(max=2000)],
                           render_kw={"rows": 3})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class HitForm(FlaskForm):
    """One redaction hit (kind and text) to mask or to keep with a reason."""
    kind = HiddenField(validators=[DataRequired()])
    value = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("保留理由"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class VersionForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
