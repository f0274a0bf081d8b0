"""The procuratorate → NPC direction: a report is submitted (`services.send`), received, scheduled
for deliberation, and closed by recording it, by issuing deliberation opinions (which start a new
NPC → procuratorate referral) or by a satisfaction vote."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ..audit import services as audit
from ..db import db, utcnow
from ..errors import ValidationFailed
from ..workdays import current_calendar, today
from .models import Referral, ReferralType
from .services import _heading, _sender_staff, _tell, _text, apply, check, create_referral, send
from .workflow import Action, Direction

# 监督法 Art. 15: the draft reaches the committee's body 20 days before the session, the revised
# report the committee 10 days before, and members receive it 7 days before.
LEAD_TIMES = ((20, _l("报送专门委员会征求意见")), (10, _l("修改后报送常委会")), (7, _l("印发常委会组成人员")))


@dataclass(frozen=True)
class LeadTime:
    days_before: int
    label: str
    date: dt.date
    working: bool
    suggested: dt.date   # the previous working day when `date` is not one (no roll rule for lead times)


def lead_times(session_date: dt.date) -> list[LeadTime]:
    cal = current_calendar()
    rows = []
    for days, label in LEAD_TIMES:
        day = session_date - dt.timedelta(days=days)
        rows.append(LeadTime(days, _(label), day, cal.is_working_day(day), cal.previous_working_day(day)))
    return rows


def receive(referral: Referral, *, actor, expected_version: int | None = None) -> None:
    check(referral, Action.RECEIVE, actor, expected_version=expected_version)
    referral.acknowledged_at = utcnow()
    apply(referral, Action.RECEIVE, actor)
    _tell(_sender_staff(referral), referral, "received_by_npc", _("报送事项已接收：%(h)s", h=_heading(referral)))


def schedule(referral: Referral, *, actor, session_date: dt.date, expected_version: int | None = None) -> None:
    check(referral, Action.SCHEDULE, actor, expected_version=expected_version)
    if session_date is None or session_date < today():
        raise ValidationFailed(_("请填写今后举行的常委会会议日期。"), field="session_date")
    referral.session_date = session_date
    apply(referral, Action.SCHEDULE, actor, note=_("列入 %(d)s 常委会会议审议", d=session_date.isoformat()))
    _tell(_sender_staff(referral), referral, "scheduled", _("报告已列入审议：%(h)s", h=_heading(referral)),
          session_date.isoformat())


def record(referral: Referral, *, actor, note: str = "", expected_version: int | None = None) -> None:
    check(referral, Action.RECORD, actor, expected_version=expected_version)
    referral.closed_at = utcnow()
    apply(referral, Action.RECORD, actor, note=(note or "").strip())


def issue_opinions(referral: Referral, *, actor, opinions_type: ReferralType, title: str, text: str,
                   expected_version: int | None = None) -> Referral:
    """印发审议意见: close the report and send the committee's opinions to the procuratorate."""
    check(referral, Action.ISSUE_OPINIONS, actor, expected_version=expected_version)
    if opinions_type.direction is not Direction.NPC_TO_PROCURATORATE:
        raise ValidationFailed(_("请选择审议意见类型。"), field="type")
    text = _text(text, "text", _("请填写审议意见。"))
    opinions = create_referral(actor=actor, rtype=opinions_type, receiver=referral.sender_org,
                               sender=referral.receiver_org, title=title or _("关于%(t)s的审议意见", t=referral.title),
                               body=text, parent=referral, classification=referral.classification)
    send(opinions, actor=actor)
    referral.closed_at = utcnow()
    apply(referral, Action.ISSUE_OPINIONS, actor, note=_("印发审议意见 %(s)s", s=opinions.serial),
          summary={"opinions": opinions.id})
    return opinions


def vote(referral: Referral, *, actor, votes_for: int, against: int, abstain: int,
         expected_version: int | None = None) -> Referral | None:
    """满意度测评. A majority of all votes cast must be 满意; otherwise a new report is required
    within the type's period, opened here as a draft for the procuratorate."""
    check(referral, Action.VOTE, actor, expected_version=expected_version)
    counts = (votes_for, against, abstain)
    if any(c is None or c < 0 for c in counts) or sum(counts) == 0:
        raise ValidationFailed(_("请填写有效的表决票数。"), field="votes_for")
    referral.vote_for, referral.vote_against, referral.vote_abstain = counts
    passed = votes_for * 2 > sum(counts)
    referral.closed_at = utcnow()
    result = _("满意") if passed else _("不满意")
    apply(referral, Action.VOTE, actor, note=_("测评结果：%(r)s（满意 %(a)d，不满意 %(b)d，弃权 %(c)d）",
                                              r=result, a=votes_for, b=against, c=abstain),
          summary={"for": votes_for, "against": against, "abstain": abstain, "passed": passed})
    if passed:
        return None
    again = Referral(direction=referral.direction, type=referral.type, sender_org=referral.sender_org,
                     receiver_org=referral.receiver_org, title=_("%(t)s（再次报告）", t=referral.title), body="",
                     parent=referral, classification=referral.classification)
    again.body = _("满意度测评未通过，须在规定期限内重新报告。")
    db.session.add(again)
    from .deadlines import rehandling_due

    again.result_due = again.current_due = rehandling_due(referral.type, today())
    db.session.flush()
    audit.record("referral.create", actor=None, obj=again, summary={"reason": "vote_failed", "parent": referral.id})
    _tell(_sender_staff(referral), referral, "vote_failed", _("满意度测评未通过，须重新报告：%(h)s", h=_heading(referral)),
          again.result_due.isoformat())
    return again


def children(referral: Referral) -> list[Referral]:
    return list(db.session.scalars(sa.select(Referral).where(Referral.parent_id == referral.id).order_by(Referral.id)))
