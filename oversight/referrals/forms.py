"""Forms of the referral pages: shape only (required, lengths, choices); the services check the rules.

Each workflow action has a small form with exactly the fields its service needs, plus the
referral's `version` so that a page someone else has since changed is answered with a conflict.
Action forms are built with `prefix=<action>` so that several fit on one page without clashing ids.
"""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.fields.choices import SelectChoice as _choice  # WTForms 3.3 deprecates tuples given to the constructor
from wtforms.widgets import HiddenInput

from . import labels, permissions, queries
from .deadlines import DueStatus, return_window_end
from .models import Classification, Referral
from .services import MAX_TEXT, MAX_TITLE
from .workflow import Action, Direction, Evaluation, Outcome, State


def _date(label, message):
    return DateField(label, validators=[DataRequired(message)],
                     invalid_value_message=_l("请输入有效日期（年-月-日）。"))


def _text(label, message=None, *, limit=MAX_TEXT):
    checks = [DataRequired(message), Length(max=limit)] if message else [Optional(), Length(max=limit)]
    return TextAreaField(label, validators=checks, render_kw={"rows": 3})


INVALID_CHOICE = _l("请从列表中选择。")


def _pick(label, message):
    return SelectField(label, coerce=int, choices=[], validators=[DataRequired(message)],
                       invalid_choice_message=INVALID_CHOICE)


def _none_first(text):
    return [(0, str(text))]


def _person(user) -> str:
    return _("%(name)s（%(org)s）", name=user.display_name, org=user.organisation.name)


# --- creating -----------------------------------------------------------------------------------

class ReferralForm(FlaskForm):
    type = _pick(_l("事项类型"), _l("请选择事项类型。"))
    receiver = _pick(_l("接收单位"), _l("请选择接收单位。"))
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题。")), Length(max=MAX_TITLE)])
    body = _text(_l("事项内容"), _l("请填写事项内容。"))
    deputy = SelectField(_l("提出建议的人大代表"), coerce=int, choices=[], validators=[Optional()],
                         invalid_choice_message=INVALID_CHOICE,
                         description=_l("代表建议须注明提出建议的代表。"))
    classification = SelectField(_l("密级"), choices=[], validators=[Optional()],
                                 invalid_choice_message=INVALID_CHOICE)
    session_date = DateField(_l("常委会会议日期"), validators=[Optional()],
                             invalid_value_message=_l("请输入有效日期（年-月-日）。"),
                             description=_l("专项工作报告：列入审议的会议日期，用于推算报送时间节点。"))
    client_token = HiddenField()
    save = SubmitField(_l("保存草稿"))
    send_now = SubmitField(_l("保存并移送"))

    def set_choices(self, user, direction: Direction) -> None:
        deputy_only = not user.has_role(*permissions.STAFF_ROLES) and direction is Direction.NPC_TO_PROCURATORATE
        types = queries.types_for(direction, requires_deputy=True if deputy_only else None)
        self.type.choices = _none_first(_l("— 请选择 —")) + [(t.id, t.name) for t in types]
        self.receiver.choices = _none_first(_l("— 请选择 —")) + [(o.id, o.name) for o in queries.receivers(direction)]
        self.deputy.choices = _none_first(_l("— 无 —")) + [
            (u.id, _person(u)) for u in queries.deputies_for(user)]
        self.classification.choices = [("", str(_l("按类型默认")))] + [(c.value, labels.classification(c))
                                                                      for c in Classification]
        if direction is Direction.PROCURATORATE_TO_NPC:
            self.send_now.label.text = str(_l("保存并报送"))


# --- the workflow actions ---------------------------------------------------------------------------

class ActionForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(_l("页面已过期，请刷新后重试。"))])

    def set_choices(self, referral: Referral) -> None:
        """Fill the select fields for `referral`; most action forms have none."""


class WithdrawForm(ActionForm):
    reason = _text(_l("撤回理由"))


class ReturnForm(ActionForm):
    reason = _text(_l("退回理由"), _l("退回须说明理由。"))
    suggested_receiver = _pick(_l("建议的接收单位"), _l("退回须注明建议的接收单位。"))

    def set_choices(self, referral):
        self.suggested_receiver.choices = _none_first(_l("— 请选择 —")) + [
            (o.id, o.name) for o in queries.receivers(referral.direction) if o.id != referral.receiver_org_id]
        end = return_window_end(referral)
        if end is not None:
            self.reason.description = _("管辖不符的，发出后 %(n)d 个工作日内（至 %(d)s）可以退回。",
                                        n=referral.type.return_window_days, d=end.isoformat())


class ResendForm(ActionForm):
    receiver = _pick(_l("改送至"), _l("请选择接收的人民检察院。"))

    def set_choices(self, referral):
        self.receiver.choices = _none_first(_l("— 请选择 —")) + [
            (o.id, o.name) for o in queries.receivers(referral.direction) if o.id != referral.receiver_org_id]
        if referral.suggested_receiver_id:
            self.receiver.default = referral.suggested_receiver_id


class AcceptForm(ActionForm):
    procedural_reply = _text(_l("程序性答复"), _l("受理须填写程序性答复。"))


class AssignForm(ActionForm):
    department = _pick(_l("承办部门"), _l("请选择本院的内设部门。"))
    handler = SelectField(_l("承办人"), coerce=int, choices=[], validators=[Optional()],
                          invalid_choice_message=INVALID_CHOICE)

    def set_choices(self, referral):
        self.department.choices = _none_first(_l("— 请选择 —")) + [
            (d.id, d.name) for d in queries.departments_of(referral.receiver_org)]
        self.handler.choices = _none_first(_l("— 暂不指定 —")) + [
            (u.id, _person(u)) for u in queries.handlers_of(referral.receiver_org)]


class RequestExtensionForm(ActionForm):
    until = _date(_l("延期至"), _l("请填写延期后的日期。"))
    reason = _text(_l("延期理由"), _l("申请延期须说明理由。"))


class DecideExtensionForm(ActionForm):
    approve = RadioField(_l("审批意见"), choices=[_choice("1", _l("同意延期")), _choice("0", _l("不同意延期"))],
                         validators=[DataRequired(_l("请选择是否同意延期。"))], invalid_choice_message=INVALID_CHOICE)
    note = _text(_l("说明"))


class ReplyForm(ActionForm):
    outcome = SelectField(_l("办理结果"), choices=[], validators=[DataRequired(_l("请选择办理结果。"))],
                          invalid_choice_message=INVALID_CHOICE)
    text = _text(_l("答复内容"), _l("请填写答复内容。"))
    attachments = MultipleFileField(_l("答复附件"), description=_l(
        "可选，可多选：办理结果的书面材料（PDF、OFD、DOCX、XLSX、JPG、PNG）。答复后对方可见。"),
        render_kw={"accept": ".pdf,.ofd,.docx,.xlsx,.jpg,.jpeg,.png"})

    def set_choices(self, referral):
        self.outcome.choices = [("", str(_l("— 请选择 —")))] + [(o.value, labels.outcome(o)) for o in Outcome]


class EvaluateForm(ActionForm):
    evaluation = RadioField(_l("评价"), choices=[], validators=[DataRequired(_l("请选择评价结果。"))],
                            invalid_choice_message=INVALID_CHOICE)
    reasons = _text(_l("理由"), limit=MAX_TEXT)

    def set_choices(self, referral):
        self.evaluation.choices = [(e.value, labels.evaluation(e)) for e in
                                   (Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED, Evaluation.DISSATISFIED)]


class UrgeForm(ActionForm):
    note = _text(_l("催办意见"))


class ConvertForm(ActionForm):
    letter_type = _pick(_l("转为"), _l("请选择代表来信类型。"))
    reason = _text(_l("转换理由"), _l("请说明转为代表来信的理由（如：涉及具体案件）。"))

    def set_choices(self, referral):
        self.letter_type.choices = _none_first(_l("— 请选择 —")) + [
            (t.id, t.name) for t in queries.types_for(referral.direction, requires_deputy=False)]


class ConsultForm(ActionForm):
    held_on = _date(_l("面商日期"), _l("请填写已举行面商的日期。"))
    note = _text(_l("面商情况"), _l("请记录面商情况。"))


class ScheduleForm(ActionForm):
    session_date = _date(_l("常委会会议日期"), _l("请填写今后举行的常委会会议日期。"))


class RecordForm(ActionForm):
    note = _text(_l("备注"))


class IssueOpinionsForm(ActionForm):
    opinions_type = _pick(_l("事项类型"), _l("请选择审议意见类型。"))
    title = StringField(_l("标题"), validators=[Optional(), Length(max=MAX_TITLE)],
                        description=_l("不填则为“关于……的审议意见”。"))
    text = _text(_l("审议意见"), _l("请填写审议意见。"))

    def set_choices(self, referral):
        types = queries.types_for(Direction.NPC_TO_PROCURATORATE, requires_deputy=False)
        self.opinions_type.choices = _none_first(_l("— 请选择 —")) + [(t.id, t.name) for t in types]
        self.opinions_type.default = next((t.id for t in types if t.code == "deliberation_opinion"), 0)


def _votes(label, message):
    return IntegerField(label, validators=[InputRequired(message), NumberRange(min=0, message=_l("票数不能为负数。"))])


class VoteForm(ActionForm):
    votes_for = _votes(_l("满意票"), _l("请填写满意票数。"))
    against = _votes(_l("不满意票"), _l("请填写不满意票数。"))
    abstain = _votes(_l("弃权票"), _l("请填写弃权票数。"))


# Every action a person can take, with its form. `close_without_feedback` is the system's alone.
ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.SEND: ActionForm, Action.SUBMIT: ActionForm, Action.WITHDRAW: WithdrawForm,
    Action.ACKNOWLEDGE: ActionForm, Action.RETURN: ReturnForm, Action.RESEND: ResendForm,
    Action.ACCEPT: AcceptForm, Action.ASSIGN: AssignForm, Action.REQUEST_EXTENSION: RequestExtensionForm,
    Action.DECIDE_EXTENSION: DecideExtensionForm, Action.REPLY: ReplyForm, Action.EVALUATE: EvaluateForm,
    Action.URGE: UrgeForm, Action.ARCHIVE: ActionForm, Action.CONVERT: ConvertForm, Action.CONSULT: ConsultForm,
    Action.RECEIVE: ActionForm, Action.SCHEDULE: ScheduleForm, Action.RECORD: RecordForm,
    Action.ISSUE_OPINIONS: IssueOpinionsForm, Action.VOTE: VoteForm,
}


def action_form(action: Action, referral: Referral, *, formdata=None) -> ActionForm:
    """The form of `action` for `referral`: bound to `formdata` when posting, else showing its version."""
    form = ACTION_FORMS[action](prefix=action.value, formdata=formdata)
    form.set_choices(referral)
    if formdata is None:
        form.process(formdata=None, data={"version": referral.version})
    return form


# --- messages and lists ---------------------------------------------------------------------------

class MessageForm(FlaskForm):
    body = _text(_l("留言内容"), _l("请填写留言内容。"), limit=5000)
    internal = BooleanField(_l("内部备注（仅本方可见）"))


_ANY = {"choices": [], "validators": [Optional()], "invalid_choice_message": INVALID_CHOICE}


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("关键词"), validators=[Optional(), Length(max=100)], render_kw={"placeholder": _l("标题或编号")})
    direction = SelectField(_l("方向"), **_ANY)
    type = SelectField(_l("类型"), coerce=int, **_ANY)
    state = SelectField(_l("状态"), **_ANY)
    organisation = SelectField(_l("单位"), coerce=int, **_ANY)
    subtree = BooleanField(_l("含下级单位"))
    receiver = SelectField(_l("接收单位"), coerce=int, **_ANY)
    due = SelectField(_l("期限状态"), **_ANY)
    year = IntegerField(_l("年度"), validators=[
        Optional(), NumberRange(min=2000, max=2100, message=_l("请输入 2000 至 2100 之间的年份。"))])
    sent_from = DateField(_l("发出日期自"), validators=[Optional()], invalid_value_message=_l("请输入有效日期（年-月-日）。"))
    sent_to = DateField(_l("发出日期至"), validators=[Optional()], invalid_value_message=_l("请输入有效日期（年-月-日）。"))
    sort = SelectField(_l("排序"), **_ANY)

    def validate_sent_to(self, field) -> None:
        if field.data and self.sent_from.data and field.data < self.sent_from.data:
            raise ValidationError(_("“发出日期至”不能早于“发出日期自”。"))

    def set_choices(self) -> None:
        every = str(_l("全部"))
        self.direction.choices = [("", every)] + [(d.value, labels.direction(d)) for d in Direction]
        self.type.choices = [(0, every)] + [(t.id, t.name) for t in queries.types_for(active_only=False)]
        self.state.choices = [("", every)] + [(s.value, labels.state(s)) for s in State]
        self.organisation.choices = [(0, every)] + [(o.id, o.name) for o in queries.institutions()]
        self.receiver.choices = list(self.organisation.choices)
        self.due.choices = [("", every)] + [(s.value, labels.due_status(s)) for s in DueStatus]
        self.sort.choices = [(queries.Sort.DUE.value, str(_l("按当前期限"))),
                             (queries.Sort.UPDATED.value, str(_l("按最近更新")))]

    def filters(self) -> queries.Filters:
        """The filters the form holds; a value that failed validation is left out."""
        def ok(field):
            return field.data if not field.errors and field.data else None

        return queries.Filters(
            direction=Direction(ok(self.direction)) if ok(self.direction) else None,
            type_id=ok(self.type), state=State(ok(self.state)) if ok(self.state) else None,
            organisation_id=ok(self.organisation), subtree=bool(self.subtree.data), receiver_id=ok(self.receiver),
            due_status=DueStatus(ok(self.due)) if ok(self.due) else None,
            year=ok(self.year), sent_from=ok(self.sent_from), sent_to=ok(self.sent_to),
            keyword=(self.q.data or "").strip() if not self.q.errors else "",
            sort=queries.Sort(ok(self.sort)) if ok(self.sort) else queries.Sort.DUE)


# --- referral types (administration) --------------------------------------------------------------

def _amount(label, *, optional=False, description=None):
    checks = [Optional()] if optional else [InputRequired(_l("请填写数值。"))]
    return IntegerField(label, validators=checks, description=description,
                        render_kw={"min": 0 if optional else 1, "inputmode": "numeric"})


def _unit(label):
    return SelectField(label, choices=[], invalid_choice_message=INVALID_CHOICE)


class TypeForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=60)])
    legal_basis = StringField(_l("依据"), validators=[Optional(), Length(max=300)])
    description = _text(_l("说明"), limit=2000)
    ack_amount = _amount(_l("签收期限"), description=_l("自移送之日起计算。"))
    ack_unit = _unit(_l("签收期限单位"))
    return_window_days = _amount(_l("退回期限（工作日）"), description=_l("接收方认为管辖不符、可以退回的期间。"))
    procedural_amount = _amount(_l("程序性答复期限"), optional=True, description=_l("自签收之日起计算；不填则不设。"))
    procedural_unit = _unit(_l("程序性答复期限单位"))
    result_amount = _amount(_l("办理期限"), description=_l("自移送（交办）之日起计算。"))
    result_unit = _unit(_l("办理期限单位"))
    cap_months = _amount(_l("最长办理期限（月）"), optional=True,
                         description=_l("自交办之日起的绝对上限，延期不得超过；不填则不设。"))
    extension_approver = SelectField(_l("延期审批"), choices=[], invalid_choice_message=INVALID_CHOICE)
    max_extensions = _amount(_l("最多延期次数"), optional=False)
    evaluated = BooleanField(_l("交办方对答复进行评价"))
    evaluation_window_days = _amount(_l("评价期限（工作日）"), description=_l("自答复之日起计算。"))
    dissatisfied_reopens = BooleanField(_l("评价“不满意”时重新办理（否则只要求补充说明）"))
    max_rehandling_rounds = _amount(_l("最多重新办理轮次"))
    rehandling_amount = _amount(_l("重新办理期限"), description=_l("自评价之日起计算。"))
    rehandling_unit = _unit(_l("重新办理期限单位"))
    case_related = BooleanField(_l("涉及具体案件（人大方往来记录可由检察院导出）"))
    roll_weekends = BooleanField(_l("期间届满日为周末时顺延至下一个工作日"))
    default_classification = SelectField(_l("默认密级"), choices=[], invalid_choice_message=INVALID_CHOICE)
    active = BooleanField(_l("启用"))
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(_l("页面已过期，请刷新后重试。"))])

    def set_choices(self) -> None:
        from ..workdays import PeriodUnit
        from .models import Approver

        units = [(u.value, labels.unit(u)) for u in PeriodUnit]
        for field in (self.ack_unit, self.procedural_unit, self.result_unit, self.rehandling_unit):
            field.choices = units
        self.extension_approver.choices = [(a.value, labels.approver(a)) for a in Approver]
        self.default_classification.choices = [(c.value, labels.classification(c)) for c in Classification]

    def values(self) -> dict:
        """The editable fields by name, for `services.update_type`."""
        return {name: self[name].data for name in self._fields if name not in ("csrf_token", "version")}
