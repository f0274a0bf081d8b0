"""Topic, list, issuing and rectification use cases against a real database: the three lists from
drafting to issue, the item workflow with the right and the wrong actors, bad input refused in
Chinese with nothing half-saved, versions and their diff, the roll-up, notifications and audit."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from issues import permissions, queries
from issues.models import ItemEvent, ListVersion, ProgressReport, RectificationItem, Topic
from issues.services import issuing, items, lists, topics
from issues.workflow import ITEM_TRANSITIONS, ItemAction, ItemState, Severity, TopicAction, TopicState
from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import commit, db
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.models import Notification
from oversight.orgs.models import OrgKind
from oversight.workdays import today

IA, IS = ItemAction, ItemState
LATER = dt.timedelta(days=90)


@pytest.fixture
def crew(world, make_org, make_user):
    """The owner's staff and reviewer, the responsible procuratorate's contact, and wrong people."""
    ext = make_org("EXT-HB", "市生态环境局", kind=OrgKind.EXTERNAL_UNIT)
    people = dict(
        staff=world.staff,
        staff2=make_user("staff2", world.body, roles={Role.NPC_STAFF}),
        reviewer=make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}),
        contact=world.contact,
        handler=make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER}),
        d_contact=make_user("dcontact", world.d_proc, roles={Role.PROCURATORATE_CONTACT}),
        d_staff=make_user("dstaff", world.d_npc, roles={Role.NPC_STAFF}),
        deputy=make_user("deputy", world.station, roles={Role.DEPUTY}),
        admin=world.admin,
    )
    return SimpleNamespace(world=world, ext=ext, people=people, **people)


def draft_topic(crew, *, units=None, due=None) -> Topic:
    """A topic with one problem per unit, each with a responsibility and one item, committed."""
    w = crew.world
    topic = topics.create_topic(actor=crew.staff, title="优化营商环境检察监督", description="涉企案件",
                                lead_body=w.body)
    for n, unit in enumerate(units or [w.proc], start=1):
        problem = lists.add_problem(topic, actor=crew.staff, description=f"问题{n}：涉企案件久拖不决",
                                    evidence="专项检查报告", category="执法", severity=Severity.SERIOUS)
        resp = lists.add_responsibility(problem, actor=crew.staff, lead_unit=unit, responsible_person="张检察长",
                                        legal_basis="人民检察院组织法")
        lists.add_item(resp, actor=crew.staff, measures=f"清理积案{n}", due_date=due or today() + LATER,
                       milestones="一月内摸底")
    commit()
    return topic


def issued_topic(crew, **kw) -> Topic:
    topic = draft_topic(crew, **kw)
    issuing.submit(topic, actor=crew.staff)
    commit()
    issuing.issue(topic, actor=crew.reviewer)
    commit()
    return topic


def the_item(topic: Topic) -> RectificationItem:
    return db.session.scalars(sa.select(RectificationItem).where(RectificationItem.topic_id == topic.id)
                              .order_by(RectificationItem.id)).first()


def audits(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def inbox(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == user.id)))


# --- opening and drafting --------------------------------------------------------------------------

def test_open_topic_from_two_referrals(crew, app):
    from oversight.referrals import services as referral_services
    from oversight.referrals.queries import types_for
    from oversight.referrals.workflow import Direction

    rtype = next(t for t in types_for(Direction.NPC_TO_PROCURATORATE) if not t.requires_deputy)
    refs = [referral_services.create_referral(actor=crew.staff, rtype=rtype, receiver=crew.world.proc,
                                              title=f"线索{n}", body="内容") for n in (1, 2)]
    topic = topics.create_topic(actor=crew.staff, title="议题", lead_body=crew.world.body, referrals=refs)
    commit()
    assert [s.referral_id for s in topic.sources] == [r.id for r in refs]
    assert topic.owner_org_id == crew.world.npc.id and topic.state is TopicState.OPEN
    with pytest.raises(ValidationFailed, match="已是本议题的来源"):
        topics.link_referral(topic, actor=crew.staff, referral=refs[0])


@pytest.mark.parametrize("who", ["contact", "reviewer", "deputy", "d_staff", "admin"])
def test_only_npc_staff_open_topics_for_their_committee(crew, who):
    with pytest.raises((NotAllowed, ValidationFailed)):
        topics.create_topic(actor=crew.people[who], title="议题", lead_body=crew.world.body)


def test_an_item_without_a_responsible_unit_is_refused_and_nothing_saved(crew):
    topic = topics.create_topic(actor=crew.staff, title="议题", lead_body=crew.world.body)
    problem = lists.add_problem(topic, actor=crew.staff, description="问题")
    commit()
    with pytest.raises(ValidationFailed, match="请选择责任单位") as raised:
        lists.add_responsibility(problem, actor=crew.staff, lead_unit=None)
    assert "lead_unit" in raised.value.errors
    with pytest.raises(ValidationFailed, match="请选择责任单位"):
        lists.add_item(None, actor=crew.staff, measures="措施", due_date=today() + LATER)
    with pytest.raises(ValidationFailed, match="不能作为责任单位"):
        lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.npc)  # the committee itself answers to no one here
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem)) == 0


def test_responsible_units_are_limited_to_the_owners_paired_procuratorate_and_own_bodies(crew, make_org):
    w = crew.world
    outsider = make_org("X-P", "外省人民检察院", kind=OrgKind.PROCURATORATE)
    outsider_dept = make_org("X-P-D", "外省检察院某部", kind=OrgKind.PROCURATORATE_DEPARTMENT, parent=outsider)
    other_body = make_org("D-NPC-B", "区人大某委", kind=OrgKind.NPC_BODY, parent=w.d_npc)
    topic = topics.create_topic(actor=crew.staff, title="议题", lead_body=w.body)
    problem = lists.add_problem(topic, actor=crew.staff, description="问题")
    commit()
    for org in (outsider, outsider_dept, other_body):
        with pytest.raises(ValidationFailed, match="不在本议题的监督范围内"):
            lists.add_responsibility(problem, actor=crew.staff, lead_unit=org)
        with pytest.raises(ValidationFailed, match="不在本议题的监督范围内"):
            lists.add_responsibility(problem, actor=crew.staff, lead_unit=w.proc, co_units=[org])
    db.session.rollback()
    for org in (w.proc, w.dept, w.d_proc, crew.ext, w.body):
        lists.add_responsibility(problem, actor=crew.staff, lead_unit=org)
    choices = {o.id for o in queries.unit_choices(topic)}
    assert {w.proc.id, w.dept.id, w.d_proc.id, crew.ext.id, w.body.id} <= choices
    assert not choices & {outsider.id, outsider_dept.id, other_body.id}


def test_a_due_date_before_the_issue_date_is_refused(crew):
    topic = draft_topic(crew)
    resp = topic.problems[0].responsibilities[0]
    for bad in (today() - dt.timedelta(days=1), today()):
        with pytest.raises(ValidationFailed, match="不能早于或等于清单印发日期") as raised:
            lists.add_item(resp, actor=crew.staff, measures="措施", due_date=bad)
        assert "due_date" in raised.value.errors
        db.session.rollback()
    # An item that was fine when drafted but has fallen due by the time the reviewer issues it.
    item = the_item(topic)
    item.due_date = today()
    commit()
    with pytest.raises(ValidationFailed, match="清单印发日期"):
        issuing.submit(topic, actor=crew.staff)
    db.session.rollback()
    assert db.session.get(Topic, topic.id).state is TopicState.OPEN


def test_incomplete_lists_cannot_be_submitted(crew):
    topic = topics.create_topic(actor=crew.staff, title="议题", lead_body=crew.world.body)
    with pytest.raises(ValidationFailed, match="问题清单为空"):
        issuing.submit(topic, actor=crew.staff)
    db.session.rollback()
    problem = lists.add_problem(topic, actor=crew.staff, description="问题")
    commit()
    with pytest.raises(ValidationFailed, match="尚未明确责任单位"):
        issuing.submit(topic, actor=crew.staff)
    db.session.rollback()
    lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.proc)
    commit()
    with pytest.raises(ValidationFailed, match="尚无整改事项"):
        issuing.submit(topic, actor=crew.staff)


# --- issuing ---------------------------------------------------------------------------------------

def test_reviewer_issues_a_numbered_frozen_version(crew):
    topic = draft_topic(crew, units=[crew.world.proc, crew.ext])
    issuing.submit(topic, actor=crew.staff)
    commit()
    assert "topic_review" in inbox(crew.reviewer)
    with pytest.raises(NotAllowed):
        issuing.issue(topic, actor=crew.staff)  # staff cannot approve
    db.session.rollback()
    version = issuing.issue(topic, actor=crew.reviewer)
    commit()
    assert topic.state is TopicState.ISSUED and topic.issued_version == 1
    assert version.document_number == topic.serial == f"SRD-QD-{today().year}-0001"
    snap = issuing.load_snapshot(version)
    assert [p["responsibilities"][0]["lead_unit"] for p in snap["problems"]] == ["市人民检察院", "市生态环境局"]
    assert all(i.issued_in == 1 and i.progress_due for i in topic.problems[0].responsibilities[0].items)
    assert "lists_issued" in inbox(crew.contact)
    assert audits("topic.issue") == 1 and verify().ok


def test_the_drafter_cannot_issue_their_own_lists(crew, make_user):
    both = make_user("both", crew.world.body, roles={Role.NPC_STAFF, Role.NPC_REVIEWER})
    topic = draft_topic(crew)
    issuing.submit(topic, actor=both)
    commit()
    with pytest.raises(NotAllowed, match="不能审核印发自己起草的清单"):
        issuing.issue(topic, actor=both)


def test_send_back_needs_a_reason(crew):
    topic = draft_topic(crew)
    issuing.submit(topic, actor=crew.staff)
    commit()
    with pytest.raises(ValidationFailed, match="须说明理由"):
        issuing.send_back(topic, actor=crew.reviewer, reason=" ")
    db.session.rollback()
    issuing.send_back(topic, actor=crew.reviewer, reason="证据不足")
    commit()
    assert topic.state is TopicState.OPEN and "topic_sent_back" in inbox(crew.staff)


def test_revision_issues_a_new_version_and_the_diff_shows_it(crew):
    topic = issued_topic(crew)
    items.report_progress(the_item(topic), actor=crew.contact, percent=20, text_="已摸底")
    commit()
    assert topic.state is TopicState.RECTIFYING
    with pytest.raises(InvalidTransition):
        lists.add_problem(topic, actor=crew.staff, description="新问题")
    db.session.rollback()
    issuing.revise(topic, actor=crew.staff, reason="补充问题")
    problem = lists.add_problem(topic, actor=crew.staff, description="新问题：案件信息公开不及时")
    resp = lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.proc)
    lists.add_item(resp, actor=crew.staff, measures="建立公开台账", due_date=today() + LATER)
    lists.update_item(the_item(topic), actor=crew.staff, measures="清理积案并建立长效机制")
    commit()
    issuing.submit(topic, actor=crew.staff)
    issuing.issue(topic, actor=crew.reviewer)
    commit()
    assert topic.issued_version == 2 and topic.state is TopicState.RECTIFYING  # work had begun
    v1, v2 = db.session.scalars(sa.select(ListVersion).where(ListVersion.topic_id == topic.id)
                                .order_by(ListVersion.number))
    assert v2.document_number == f"{topic.serial}-V2"
    changes = issuing.diff(issuing.load_snapshot(v1), issuing.load_snapshot(v2))
    kinds = {(kind, where.split(" · ")[0]) for kind, where, _b, _a in changes}
    assert ("added", "问题 2") in kinds
    assert any(kind == "changed" and after == "清理积案并建立长效机制" for kind, _w, _b, after in changes)
    assert "清理积案1" in issuing.load_snapshot(v1)["problems"][0]["responsibilities"][0]["items"][0]["measures"]


# --- the rectification item -------------------------------------------------------------------------

def test_the_acceptance_path_to_one_hundred_percent(crew):
    topic = issued_topic(crew)
    item = the_item(topic)
    items.report_progress(item, actor=crew.contact, percent=40, text_="已清理一半", evidence="台账")
    commit()
    items.report_progress(item, actor=crew.contact, percent=100, text_="全部清理")
    commit()
    items.request_signoff(item, actor=crew.contact)
    commit()
    items.return_item(item, actor=crew.staff, reason="缺少长效机制材料")
    commit()
    assert item.state is IS.IN_PROGRESS and "returned" in inbox(crew.contact)
    mid = queries.progress(topic)
    assert (mid.topic.reported, mid.topic.accepted, mid.topic.completion) == (100, 0, 0)  # shown apart
    items.request_signoff(item, actor=crew.contact, note="已补充材料")
    commit()
    items.sign_off(item, actor=crew.staff)
    commit()
    roll = queries.progress(topic)
    assert item.state is IS.SIGNED_OFF and item.accepted_percent == 100
    assert (roll.topic.reported, roll.topic.accepted, roll.topic.completion) == (100, 100, 100)
    assert [r.percent for r in item.reports] == [40, 100]
    assert [e.action for e in db.session.scalars(sa.select(ItemEvent).where(ItemEvent.item_id == item.id))] == [
        "report_progress", "report_progress", "request_signoff", "return", "request_signoff", "sign_off"]
    assert "signed_off" in inbox(crew.contact)
    topics.evaluate(topic, actor=crew.staff, evaluation="整改到位")
    topics.close(topic, actor=crew.staff)
    commit()
    assert topic.state is TopicState.CLOSED and verify().ok


def test_sign_off_by_the_responsible_unit_itself_is_refused_in_chinese(crew):
    item = the_item(issued_topic(crew))
    items.report_progress(item, actor=crew.contact, percent=100, text_="完成")
    items.request_signoff(item, actor=crew.contact)
    commit()
    with pytest.raises(NotAllowed, match="须由人大常委会作出，责任单位不能"):
        items.sign_off(item, actor=crew.contact)
    db.session.rollback()
    assert db.session.get(RectificationItem, item.id).state is IS.AWAITING_SIGNOFF


@pytest.mark.parametrize("percent", [-1, 101, None])
def test_a_percentage_outside_0_100_is_refused(crew, percent):
    item = the_item(issued_topic(crew))
    with pytest.raises(ValidationFailed, match="0 到 100 之间") as raised:
        items.report_progress(item, actor=crew.contact, percent=percent, text_="进展")
    assert "percent" in raised.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0
    assert db.session.get(RectificationItem, item.id).state is IS.PENDING


def test_progress_going_backwards_needs_a_reason(crew):
    item = the_item(issued_topic(crew))
    items.report_progress(item, actor=crew.contact, percent=60, text_="过半")
    commit()
    with pytest.raises(ValidationFailed, match="低于上次报告的 60%，请说明原因"):
        items.report_progress(item, actor=crew.contact, percent=50, text_="回退")
    db.session.rollback()
    assert db.session.get(RectificationItem, item.id).reported_percent == 60
    items.report_progress(item, actor=crew.contact, percent=50, text_="回退", lower_reason="部分案件被发回")
    commit()
    assert item.reported_percent == 50


def test_accepted_progress_stays_within_reported(crew):
    item = the_item(issued_topic(crew))
    items.report_progress(item, actor=crew.contact, percent=60, text_="过半")
    commit()
    with pytest.raises(ValidationFailed, match="认定的进展"):
        items.accept_progress(item, actor=crew.staff, percent=70)
    db.session.rollback()
    items.accept_progress(item, actor=crew.staff, percent=50)
    commit()
    items.report_progress(item, actor=crew.contact, percent=30, text_="回退", lower_reason="复查")
    commit()
    assert (item.reported_percent, item.accepted_percent) == (30, 30)


def test_sign_off_request_needs_one_hundred_percent(crew):
    item = the_item(issued_topic(crew))
    items.report_progress(item, actor=crew.contact, percent=90, text_="接近完成")
    commit()
    with pytest.raises(ValidationFailed, match="100%"):
        items.request_signoff(item, actor=crew.contact)


def test_a_unit_without_accounts_is_reported_for_by_npc_staff_and_marked(crew):
    topic = issued_topic(crew, units=[crew.ext])
    item = the_item(topic)
    assert permissions.on_behalf(item.unit)
    with pytest.raises(NotAllowed):
        items.report_progress(item, actor=crew.contact, percent=10, text_="x")
    db.session.rollback()
    report = items.report_progress(item, actor=crew.staff, percent=10, text_="电话了解")
    commit()
    assert report.on_behalf and "人大代为录入" in item.events[-1].note


def test_whoever_entered_the_progress_cannot_also_accept_or_sign_it_off(crew):
    topic = issued_topic(crew, units=[crew.ext])
    item = the_item(topic)
    items.report_progress(item, actor=crew.staff, percent=100, text_="电话了解，已完成")
    commit()
    assert not permissions.can_act_item(crew.staff, item, IA.ACCEPT_PROGRESS)
    with pytest.raises(NotAllowed, match="录入进展的人员不能同时验收销号"):
        items.accept_progress(item, actor=crew.staff, percent=100)
    db.session.rollback()
    items.request_signoff(item, actor=crew.staff2)
    commit()
    for person in (crew.staff, crew.staff2):  # wrote the report / made the request
        assert not permissions.can_act_item(person, item, IA.SIGN_OFF)
        with pytest.raises(NotAllowed, match="录入进展的人员不能同时验收销号"):
            items.sign_off(item, actor=person)
        db.session.rollback()
    assert item.state is IS.AWAITING_SIGNOFF
    items.sign_off(item, actor=crew.reviewer)
    commit()
    assert item.state is IS.SIGNED_OFF


def test_a_draft_item_is_nobodys_work_yet(crew):
    item = the_item(draft_topic(crew))
    with pytest.raises(NotAllowed, match="尚未随清单印发"):
        items.report_progress(item, actor=crew.contact, percent=10, text_="x")


def test_urging_escalates_from_the_second_time(crew, make_user):
    boss = make_user("preview", crew.world.body, roles={Role.NPC_REVIEWER})
    item = the_item(issued_topic(crew, units=[crew.world.d_proc]))
    items.urge(item, actor=crew.staff, note="请加快")
    commit()
    assert "urged" in inbox(crew.d_contact) and "urged_escalated" not in inbox(boss)
    items.urge(item, actor=crew.staff)
    commit()
    assert item.urge_count == 2
    assert "urged_escalated" in inbox(boss) and "urged_escalated" in inbox(crew.contact)  # the city procuratorate


def test_extension_request_and_decision(crew):
    item = the_item(issued_topic(crew))
    old = item.due_date
    with pytest.raises(ValidationFailed, match="须晚于当前期限"):
        items.request_extension(item, actor=crew.contact, until=old, reason="案件多")
    db.session.rollback()
    items.request_extension(item, actor=crew.contact, until=old + LATER, reason="案件多")
    commit()
    with pytest.raises(NotAllowed):
        items.decide_extension(item, actor=crew.contact, approve=True)
    db.session.rollback()
    items.decide_extension(item, actor=crew.staff, approve=True)
    commit()
    assert item.due_date == old + LATER and item.extension_requested_until is None


def test_reopen_when_the_problem_comes_back(crew):
    topic = issued_topic(crew)
    item = the_item(topic)
    items.report_progress(item, actor=crew.contact, percent=100, text_="完成")
    items.request_signoff(item, actor=crew.contact)
    items.sign_off(item, actor=crew.staff)
    commit()
    items.reopen(item, actor=crew.staff, reason="问题回潮")
    commit()
    assert item.state is IS.IN_PROGRESS and item.accepted_percent == 0
    assert queries.progress(topic).topic.completion == 0
    with pytest.raises(ValidationFailed, match="未销号"):
        topics.evaluate(topic, actor=crew.staff, evaluation="好")


def test_stale_version_is_a_conflict(crew):
    item = the_item(issued_topic(crew))
    with pytest.raises(Conflict):
        items.urge(item, actor=crew.staff, expected_version=item.version - 1)


# Who may take each item step, written out from DOMAIN.md §5 (not derived from the code under test).
ITEM_ALLOWED = {
    IA.START: {"contact"}, IA.REPORT_PROGRESS: {"contact"}, IA.REQUEST_SIGNOFF: {"contact"},
    IA.REQUEST_EXTENSION: {"contact"}, IA.SIGN_OFF: {"staff", "staff2", "reviewer"},
    IA.RETURN: {"staff", "staff2", "reviewer"}, IA.DECIDE_EXTENSION: {"staff", "staff2", "reviewer"},
    IA.URGE: {"staff", "staff2"}, IA.ACCEPT_PROGRESS: {"staff", "staff2"}, IA.REOPEN: {"staff", "staff2"},
}


@pytest.mark.parametrize("action", list(ItemAction))
def test_permission_predicate_matches_the_written_out_table(crew, action):
    topic = issued_topic(crew)
    item = the_item(topic)
    with db.session.no_autoflush:  # states set by hand, never written
        for state in ItemState:
            item.state = state
            for name, person in crew.people.items():
                expected = (state, action) in ITEM_TRANSITIONS and name in ITEM_ALLOWED[action]
                assert permissions.can_act_item(person, item, action) is expected, (state, action, name)
    db.session.rollback()


def test_units_see_only_issued_topics_that_name_them(crew):
    topic = draft_topic(crew)
    assert not permissions.can_view(crew.contact, topic)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic).where(queries.visible_to(crew.contact))) == 0
    issuing.submit(topic, actor=crew.staff)
    issuing.issue(topic, actor=crew.reviewer)
    commit()
    # Handlers are not the unit's contacts: they see no topic through their unit (contacts only).
    for name, expected in [("contact", True), ("handler", False), ("staff", True), ("d_contact", False),
                           ("d_staff", False), ("deputy", False)]:
        person = crew.people[name]
        assert permissions.can_view(person, topic) is expected, name
        seen = db.session.scalar(sa.select(sa.func.count()).select_from(Topic).where(queries.visible_to(person)))
        assert seen == int(expected), name
        assert permissions.can_view_item(person, the_item(topic)) is expected, name
