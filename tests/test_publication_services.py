"""Publications against a real database: drafting, review with the redaction check, publishing and withdrawing
with the right and the wrong actors; nothing above 公开 published; the frozen snapshot; audit entries."""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from issues.services import issuing, lists, topics
from issues.workflow import Severity
from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import commit, db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.referrals.models import Classification
from oversight.workdays import today
from reports.models import ReportRun, RunStatus
from reports.publications import permissions, services
from reports.publications.models import Publication
from reports.publications.workflow import PubAction, PubKind, PubState

VALID_ID = "11010519491231002X"


@pytest.fixture
def crew(world, make_user):
    return SimpleNamespace(
        world=world, staff=world.staff,
        staff2=make_user("staff2", world.body, roles={Role.NPC_STAFF}),
        reviewer=make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}),
        d_reviewer=make_user("dreviewer", world.d_npc, roles={Role.NPC_REVIEWER}),
        contact=world.contact,
        security=make_user("security", world.body, roles={Role.SECURITY_ADMIN}),
    )


def make_topic(crew, classification=Classification.PUBLIC):
    topic = topics.create_topic(actor=crew.staff, title="涉企案件久拖不决专项监督", description="内部说明",
                                lead_body=crew.world.body, classification=classification)
    problem = lists.add_problem(topic, actor=crew.staff, description="个别案件超期，当事人王小明多次反映",
                                evidence="内部证据材料", category="执法", severity=Severity.SERIOUS)
    resp = lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.proc,
                                    responsible_person="李检察长", legal_basis="组织法")
    lists.add_item(resp, actor=crew.staff, measures="清理积案，联系电话13800138000",
                   due_date=today() + dt.timedelta(days=60), milestones="内部节点")
    commit()
    issuing.submit(topic, actor=crew.staff)
    commit()
    issuing.issue(topic, actor=crew.reviewer)
    commit()
    return topic


def draft(crew, **kw):
    values = dict(kind=PubKind.TYPICAL_CASE, title="某区检察院督促整治校园周边食品安全",
                  summary="检察建议推动整改", body="当事人张三（电话13800138000）反映问题后，检察院依法履职。",
                  private_names="张三")
    values.update(kw)
    pub = services.create(actor=crew.staff, **values)
    commit()
    return pub


def audits(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_full_round_mask_publish_withdraw(crew):
    pub = draft(crew)
    assert [(h.kind, h.text) for _f, h in services.hits(pub)] == [("name", "张三"), ("mobile", "13800138000")]
    services.submit(pub, actor=crew.staff)
    commit()
    assert pub.state is PubState.IN_REVIEW
    with pytest.raises(ValidationFailed, match="2 处"):
        services.publish(pub, actor=crew.reviewer)
    db.session.rollback()
    services.redact(pub, actor=crew.reviewer, kind="mobile", value="13800138000")
    commit()
    assert "1380****000" in pub.body and "13800138000" not in pub.body
    services.justify(pub, actor=crew.reviewer, kind="name", value="张三", reason="当事人书面同意公开姓名")
    commit()
    assert services.unresolved(pub) == []
    services.publish(pub, actor=crew.reviewer)
    commit()
    assert pub.state is PubState.PUBLISHED and pub.published_at is not None and pub.reviewed_by_id == crew.reviewer.id
    services.withdraw(pub, actor=crew.reviewer, reason="当事人张三申请撤回")
    commit()
    assert pub.state is PubState.WITHDRAWN and pub.withdrawn_reason == "当事人张某申请撤回"
    for action in ("create", "submit", "redact", "justify", "publish", "withdraw"):
        assert audits(f"publication.{action}") == 1, action
    assert verify().ok


def test_redact_all_masks_every_hit(crew):
    pub = draft(crew, body=f"身份证{VALID_ID}，邮箱a.b@example.com，张三", summary="张三的事")
    services.submit(pub, actor=crew.staff)
    services.redact_all(pub, actor=crew.reviewer)
    commit()
    assert services.hits(pub) == []
    assert pub.summary == "张某的事" and "110105************" in pub.body and "a***@example.com" in pub.body


def test_refusals(crew):
    pub = draft(crew, body="没有个人信息", private_names="")
    with pytest.raises(InvalidTransition):
        services.publish(pub, actor=crew.reviewer)         # a draft is not in review
    with pytest.raises(NotAllowed):
        services.submit(pub, actor=crew.reviewer)          # submitting is the staff's step
    with pytest.raises(NotAllowed):
        services.submit(pub, actor=crew.contact)           # the procuratorate side never publishes here
    with pytest.raises(Conflict):
        services.submit(pub, actor=crew.staff, expected_version=pub.version - 1)
    db.session.rollback()
    services.submit(pub, actor=crew.staff)
    commit()
    with pytest.raises(NotAllowed):
        services.publish(pub, actor=crew.staff)            # staff cannot publish
    with pytest.raises(NotAllowed):
        services.publish(pub, actor=crew.d_reviewer)       # another committee's reviewer
    with pytest.raises(InvalidTransition):
        services.withdraw(pub, actor=crew.reviewer, reason="x")  # not published yet
    with pytest.raises(NotAllowed):
        services.justify(pub, actor=crew.staff, kind="name", value="x", reason="y")  # the reviewer's decision
    with pytest.raises(ValidationFailed):
        services.send_back(pub, actor=crew.reviewer, reason="  ")
    db.session.rollback()
    services.send_back(pub, actor=crew.reviewer, reason="请补充整改结果")
    commit()
    assert pub.state is PubState.DRAFT and pub.review_note == "请补充整改结果"
    with pytest.raises(InvalidTransition):
        services.justify(pub, actor=crew.reviewer, kind="name", value="x", reason="y")  # only in review


def test_reviewer_cannot_publish_own_draft(crew, make_user):
    both = make_user("both", crew.world.body, roles={Role.NPC_STAFF, Role.NPC_REVIEWER})
    pub = services.create(actor=both, kind=PubKind.TYPICAL_CASE, title="案例", body="正文")
    services.submit(pub, actor=both)
    commit()
    with pytest.raises(NotAllowed):
        services.publish(pub, actor=both)


def test_bad_input(crew):
    with pytest.raises(ValidationFailed) as exc:
        services.create(actor=crew.staff, kind=PubKind.KEY_TOPIC, title=" ", body="x")
    assert set(exc.value.errors) == {"title", "topic"}
    with pytest.raises(ValidationFailed) as exc:
        services.create(actor=crew.staff, kind=PubKind.PUBLIC_REPORT, title="报告")
    assert "report_run" in exc.value.errors
    with pytest.raises(NotAllowed):
        services.create(actor=crew.reviewer, kind=PubKind.TYPICAL_CASE, title="案例")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Publication)) == 0


def test_internal_topic_is_never_published(crew):
    topic = make_topic(crew, classification=Classification.INTERNAL)
    pub = draft(crew, kind=PubKind.KEY_TOPIC, topic=topic, body="议题介绍", private_names="")
    services.submit(pub, actor=crew.staff)
    commit()
    with pytest.raises(ValidationFailed, match="公开"):
        services.publish(pub, actor=crew.reviewer)


def test_rectification_snapshot_is_public_safe_and_frozen(crew):
    topic = make_topic(crew)
    pub = draft(crew, kind=PubKind.RECTIFICATION_STATUS, topic=topic, body="整改进展如下。", private_names="王小明")
    services.submit(pub, actor=crew.staff)
    commit()
    services.publish(pub, actor=crew.reviewer)
    commit()
    snap = json.loads(pub.snapshot)
    text = pub.snapshot
    assert snap["counts"]["items"] == 1 and snap["problems"][0]["responsibilities"][0]["lead_unit"] == "市人民检察院"
    for secret in ("王小明", "13800138000", "内部证据材料", "李检察长", "内部节点", "组织法", "内部说明"):
        assert secret not in text, secret
    assert "王某" in text and "1380****000" in text
    # Later changes to the topic do not reach the published snapshot.
    from issues.models import Problem
    problem = db.session.scalars(sa.select(Problem).where(Problem.topic_id == topic.id)).one()
    problem.description = "改过的描述"
    commit()
    db.session.refresh(pub)
    assert "改过的描述" not in pub.snapshot


def _run(crew, classification, report="monthly", status=RunStatus.SUCCEEDED):
    run = ReportRun(report=report, period_key="2026-10", organisation_id=crew.world.npc.id, status=status,
                    classification=classification, pdf=b"%PDF-1.4 test" if status is RunStatus.SUCCEEDED else None,
                    finished_at=utcnow() if status is RunStatus.SUCCEEDED else None)
    db.session.add(run)
    commit()
    return run


def test_only_public_periodic_runs_are_attached(crew):
    internal = _run(crew, Classification.INTERNAL)
    with pytest.raises(ValidationFailed, match="公开"):
        services.create(actor=crew.staff, kind=PubKind.PUBLIC_REPORT, title="十月报告", report_run=internal)
    db.session.rollback()
    weekly = _run(crew, Classification.PUBLIC, report="weekly_digest")
    with pytest.raises(ValidationFailed):
        services.create(actor=crew.staff, kind=PubKind.PUBLIC_REPORT, title="周报", report_run=weekly)
    db.session.rollback()
    run = db.session.get(ReportRun, internal.id)
    run.period_key, run.classification = "2026-09", Classification.PUBLIC
    commit()
    pub = services.create(actor=crew.staff, kind=PubKind.PUBLIC_REPORT, title="九月报告", report_run=run)
    services.submit(pub, actor=crew.staff)
    commit()
    run.classification = Classification.INTERNAL  # reclassified while in review: publishing is refused
    commit()
    with pytest.raises(ValidationFailed, match="公开"):
        services.publish(pub, actor=crew.reviewer)


def test_permissions(crew):
    pub = draft(crew)
    assert permissions.can_view(crew.reviewer, pub) and not permissions.can_view(crew.contact, pub)
    assert permissions.allowed_actions(crew.staff, pub) == [PubAction.EDIT, PubAction.SUBMIT, PubAction.REDACT]
    assert permissions.allowed_actions(crew.reviewer, pub) == []
    assert not permissions.can_use_publications(crew.security)
