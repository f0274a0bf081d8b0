"""Forms of the report pages: shape only; the services check cron, periods and clearance."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from oversight.referrals import labels
from oversight.referrals.models import Classification

from .definitions import REPORTS


def _organisation_field():
    return SelectField(_l("报告范围（单位）"), coerce=int, validators=[DataRequired(_l("请选择报告范围。"))],
                       invalid_choice_message=_l("请从列表中选择。"))


def _organisation_choices(organisations) -> list[tuple[int, str]]:
    return [(o.id, o.name) for o in organisations]


class ScheduleForm(FlaskForm):
    cron = StringField(_l("定时表达式（分 时 日 月 星期，北京时间）"), validators=[
        DataRequired(_l("请填写定时表达式。")), Length(max=100)], render_kw={"placeholder": "0 7 1 * *"})
    organisation = _organisation_field()
    classification = SelectField(_l("报告密级"), validators=[DataRequired()],
                                 invalid_choice_message=_l("请从列表中选择。"))
    recipients = SelectMultipleField(_l("接收人"), coerce=int, invalid_choice_message=_l("请从列表中选择。"),
                                     render_kw={"size": 10})
    active = BooleanField(_l("启用"), default=True)

    def set_choices(self, users, organisations) -> None:
        self.organisation.choices = _organisation_choices(organisations)
        self.classification.choices = [(c.value, labels.classification(c)) for c in Classification]
        self.recipients.choices = [(u.id, f"{u.display_name}（{u.organisation.name}）") for u in users]


class RunNowForm(FlaskForm):
    report = SelectField(_l("报告"), validators=[DataRequired()], invalid_choice_message=_l("请从列表中选择。"))
    organisation = _organisation_field()
    period = StringField(_l("周期"), validators=[DataRequired(_l("请填写周期，如 2026-11。")), Length(max=20)],
                         render_kw={"placeholder": "2026-W48 / 2026-11 / 2026-Q4 / 2026"})

    def set_choices(self, organisations) -> None:
        self.organisation.choices = _organisation_choices(organisations)
        self.report.choices = [(d.key, str(d.title)) for d in REPORTS.values()]


class RefreshForm(FlaskForm):
    """「立即更新」on a dashboard: recompute its cached figures now (the form carries only the CSRF token)."""
