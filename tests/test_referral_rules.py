"""Rules found missing in the issue-3 audit: an extension request pending at the reply lapses, the
return window, and exports that leave an audit entry."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.errors import ValidationFailed
from oversight.referrals import services
from oversight.referrals.deadlines import return_window_end
from oversight.referrals.workflow import Action, Outcome, State
from oversight.workdays import add_working_days, today

from .test_referral_services import DAY, NPC, cast, drive, events, last_event  # noqa: F401  (fixture)

S, A = State, Action


def audit_rows(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_a_pending_extension_request_lapses_when_the_handler_replies(cast):
    r = drive(cast, NPC, S.IN_PROGRESS)
    due = r.result_due
    services.request_extension(r, actor=cast.handler, until=due + 10 * DAY, reason="需调取外地材料")
    commit()
    n_events = len(events(r))
    services.reply(r, actor=cast.handler, outcome=Outcome.RESOLVED, text="已办结")
    commit()
    assert r.state is S.REPLIED
    assert (r.extension_requested_until, r.extension_reason, r.result_due) == (None, None, due)
    assert len(events(r)) == n_events + 1  # one transition, one timeline line
    reply = last_event(r)
    assert reply.action == "reply" and reply.note.startswith("已办结")
    assert f"延期申请失效：已答复，申请延期至 {(due + 10 * DAY).isoformat()} 的请求不再审批" in reply.note
    entry = audit_rows("referral.reply")[-1]
    assert json.loads(entry.summary)["extension_lapsed"] == (due + 10 * DAY).isoformat()
    # Nothing is left to decide: the approver sees no pending request and the service refuses.
    with pytest.raises(Exception):
        services.decide_extension(r, actor=cast.staff, approve=True)


def test_a_lapsed_extension_shows_on_the_timeline_and_the_deadline_page(cast, client, login):
    r = drive(cast, NPC, S.IN_PROGRESS)
    services.request_extension(r, actor=cast.handler, until=r.result_due + 5 * DAY, reason="材料较多")
    services.reply(r, actor=cast.handler, outcome=Outcome.PLANNED, text="列入计划")
    commit()
    login(cast.staff)
    page = client.get(f"/referrals/{r.id}").get_data(as_text=True)
    assert "延期申请失效" in page and "待审批的延期申请" not in page
    assert client.get(f"/referrals/{r.id}/deadline/result").status_code == 200


def test_return_only_within_the_return_window(cast):
    r = drive(cast, NPC, S.ACKNOWLEDGED)
    assert return_window_end(r) == add_working_days(today(), r.type.return_window_days)
    r.sent_at = r.sent_at - dt.timedelta(days=40)  # sent long ago: the window has closed
    commit()
    with pytest.raises(ValidationFailed, match="退回期限已于 .* 届满"):
        services.return_referral(r, actor=cast.contact, reason="不属本院管辖", suggested_receiver=cast.world.d_proc)
    db.session.rollback()
    assert r.state is S.ACKNOWLEDGED and last_event(r).action == "acknowledge"


def test_the_return_form_says_until_when(cast, client, login):
    r = drive(cast, NPC, S.SENT)
    login(cast.contact)
    page = client.get(f"/referrals/{r.id}").get_data(as_text=True)
    assert f"（至 {return_window_end(r).isoformat()}）可以退回" in page


def test_exports_are_audited(cast, client, login):
    r = drive(cast, NPC, S.SENT, code="litigation_petition")  # a case-related type: the NPC log exists
    assert r.type.case_related
    services.post_message(r, actor=cast.staff, body="请依法办理")
    commit()
    login(cast.staff)
    assert client.get("/referrals/export.xlsx?state=sent").status_code == 200
    entry, = audit_rows("referral.export.xlsx")
    assert entry.actor_id == cast.staff.id
    summary = entry.summary if isinstance(entry.summary, dict) else json.loads(entry.summary)
    assert summary["rows"] == 1 and summary["filters"] == {"state": "sent"}

    client.post("/logout")
    login(cast.contact)
    response = client.get(f"/referrals/{r.id}/npc-log.csv")
    assert response.status_code == 200 and "请依法办理" in response.get_data(as_text=True)
    entry, = audit_rows("referral.export.npc_log")
    assert entry.object_id == str(r.id) and entry.actor_id == cast.contact.id


def test_satisfaction_leaves_out_no_feedback_and_items_still_being_rehandled(cast, client, login):
    from oversight.referrals import queries
    from oversight.referrals.workflow import Evaluation

    def replied():
        r = drive(cast, NPC, S.IN_PROGRESS)
        services.reply(r, actor=cast.handler, outcome=Outcome.RESOLVED, text="已办结")
        return r

    for verdict in (Evaluation.SATISFIED, Evaluation.SATISFIED, Evaluation.BASICALLY_SATISFIED):
        services.evaluate(replied(), actor=cast.staff, evaluation=verdict)
    services.close_without_feedback(replied())  # the window passed after the reminder: 未反馈
    services.evaluate(replied(), actor=cast.staff, evaluation=Evaluation.DISSATISFIED, reasons="未答复要点")  # reopened
    commit()

    figures = queries.satisfaction(cast.staff, queries.Filters())
    assert (figures.satisfied, figures.basically, figures.dissatisfied, figures.no_feedback) == (2, 1, 0, 1)
    assert figures.evaluated == 3 and figures.rate == 1.0 and figures.satisfied_rate == pytest.approx(2 / 3)

    login(cast.staff)
    page = client.get("/referrals/satisfaction").get_data(as_text=True)
    assert "满意度：100.0%" in page and "其中满意 66.7%" in page and "未反馈（不计入满意度）" in page
    assert 'href="/referrals/satisfaction' in client.get("/referrals/search").get_data(as_text=True)


def test_convert_and_consult_are_offered_only_where_they_apply(cast):
    from oversight.referrals import permissions

    suggestion = drive(cast, NPC, S.SENT)
    assert suggestion.type.requires_deputy and A.CONVERT in permissions.allowed_actions(cast.staff, suggestion)
    services.convert_to_letter(suggestion, actor=cast.staff, letter_type=rtype_of("deputy_letter"), reason="涉及具体案件")
    commit()
    assert A.CONVERT not in permissions.allowed_actions(cast.staff, suggestion)  # a letter stays a letter
    with pytest.raises(ValidationFailed, match="只有代表建议可以转为代表来信"):
        services.convert_to_letter(suggestion, actor=cast.staff, letter_type=rtype_of("deputy_letter"), reason="再转")

    finding = drive(cast, NPC, S.IN_PROGRESS, code="inspection_finding")
    assert finding.deputy_id is None and A.CONSULT not in permissions.allowed_actions(cast.handler, finding)
    with pytest.raises(ValidationFailed, match="没有提出建议的代表"):
        services.record_consultation(finding, actor=cast.handler, held_on=today(), note="面商")
    with_deputy = drive(cast, NPC, S.IN_PROGRESS)
    assert A.CONSULT in permissions.allowed_actions(cast.handler, with_deputy)


def rtype_of(code: str):
    from oversight.referrals.models import ReferralType

    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == code))
