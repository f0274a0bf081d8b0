"""The sender's (or the deputy's) evaluation of a reply, and closing as 未反馈 when none comes."""
from __future__ import annotations

from flask_babel import gettext as _

from ...db import utcnow
from ...errors import ValidationFailed
from ...workdays import today
from .. import labels
from ..deadlines import rehandling_due
from ..models import Referral
from ..workflow import Action, Evaluation, State
from .transitions import _heading, _receiver_staff, _tell, apply, check


def evaluate(referral: Referral, *, actor, evaluation: Evaluation, reasons: str = "",
             expected_version: int | None = None) -> None:
    """满意/基本满意 close the referral; 不满意 reopens it (or asks for clarification) while rounds remain."""
    check(referral, Action.EVALUATE, actor, expected_version=expected_version)
    if evaluation not in (Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED, Evaluation.DISSATISFIED):
        raise ValidationFailed(_("请选择评价结果。"), field="evaluation")
    reasons = (reasons or "").strip()
    if evaluation is Evaluation.DISSATISFIED and not reasons:  # before anything changes
        raise ValidationFailed(_("评价为“不满意”时须说明理由。"), field="reasons")
    referral.evaluation, referral.evaluation_reasons = evaluation, reasons or None
    referral.evaluated_at = utcnow()
    referral.evaluation_due = None
    rtype = referral.type
    if evaluation is not Evaluation.DISSATISFIED:
        referral.closed_at = utcnow()
        apply(referral, Action.EVALUATE, actor, note=labels.evaluation(evaluation) + (f"：{reasons}" if reasons else ""),
              target=State.CLOSED, summary={"evaluation": evaluation.value})
        _tell(_receiver_staff(referral), referral, "evaluated", _("事项已评价并办结：%(h)s", h=_heading(referral)),
              labels.evaluation(evaluation))
        return
    if rtype.dissatisfied_reopens and referral.round > rtype.max_rehandling_rounds:
        referral.closed_at = utcnow()
        apply(referral, Action.EVALUATE, actor, target=State.CLOSED, summary={"evaluation": evaluation.value},
              note=_("不满意：%(r)s（已重新办理 %(n)d 轮，转联席会议或专家评估）", r=reasons, n=rtype.max_rehandling_rounds))
        _tell(_receiver_staff(referral), referral, "evaluated", _("事项评价为不满意：%(h)s", h=_heading(referral)), reasons)
        return
    if rtype.dissatisfied_reopens:
        referral.round += 1
        note = _("不满意，重新办理（第 %(n)d 轮）：%(r)s", n=referral.round, r=reasons)
    else:
        note = _("不满意，要求补充说明：%(r)s", r=reasons)
    referral.result_due = rehandling_due(rtype, today())
    referral.replied_at = None
    apply(referral, Action.EVALUATE, actor, target=State.IN_PROGRESS, note=note,
          summary={"evaluation": evaluation.value, "round": referral.round})
    _tell(_receiver_staff(referral) + ([referral.handler] if referral.handler else []), referral, "reopened",
          _("事项需重新办理：%(h)s", h=_heading(referral)), reasons)


def close_without_feedback(referral: Referral) -> None:
    """The evaluation window passed after a reminder: 未反馈, left out of satisfaction figures."""
    check(referral, Action.CLOSE_WITHOUT_FEEDBACK, None)
    referral.evaluation = Evaluation.NO_FEEDBACK
    referral.evaluation_due = None
    referral.closed_at = utcnow()
    apply(referral, Action.CLOSE_WITHOUT_FEEDBACK, None, note=_("评价期限届满未反馈，按未反馈办结。"))
