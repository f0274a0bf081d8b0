"""Joint research projects (课题): members from both sides, milestones with due dates, their state and
outputs — through the services and the pages."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from liaison.exchanges import services as exchanges
from liaison.exchanges.models import ExchangeActivity, ExchangeKind, MilestoneState, ResearchMilestone
from liaison.meetings.workflow import Response
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.models import Side

from .conftest import text_of
from .liaison_fixtures import at, cast  # noqa: F401  (fixtures)


def project(cast, kind=ExchangeKind.JOINT_RESEARCH, members=True) -> ExchangeActivity:
    activity = exchanges.plan(actor=cast.staff, kind=kind, title="检察公益诉讼与人大监督衔接机制研究",
                              starts_at=at(1, 9), ends_at=at(1, 11), partner=cast.world.proc)
    if members:
        exchanges.invite(activity, actor=cast.staff, users=[cast.staff2, cast.contact, cast.handler])
        for p in activity.participants:
            if p.user in (cast.staff2, cast.contact):
                exchanges.respond(p, actor=p.user, accept=True)
    commit()
    return activity


def test_members_from_both_sides_and_milestones_with_outputs(cast):
    activity = project(cast)
    sides = exchanges.members_by_side(activity)
    assert {p.user for p in sides[Side.NPC]} == {cast.staff2}
    assert {p.user for p in sides[Side.PROCURATORATE]} == {cast.contact, cast.handler}
    first = exchanges.add_milestone(activity, actor=cast.staff, title="完成调研提纲", due_on=dt.date(2027, 1, 15))
    second = exchanges.add_milestone(activity, actor=cast.contact, title="形成研究报告初稿", due_on=dt.date(2027, 3, 31))
    commit()
    assert [m.title for m in activity.milestones] == ["完成调研提纲", "形成研究报告初稿"]
    assert first.state is MilestoneState.OPEN and first.done_at is None
    with pytest.raises(ValidationFailed, match="阶段成果"):
        exchanges.complete_milestone(first, actor=cast.staff2, output=" ")
    with pytest.raises(Conflict):
        exchanges.complete_milestone(first, actor=cast.staff2, output="调研提纲", expected_version=first.version + 1)
    exchanges.complete_milestone(first, actor=cast.staff2, output="调研提纲（含12个调研问题）",
                                 expected_version=first.version)
    commit()
    assert first.state is MilestoneState.DONE and first.done_at is not None and first.output.startswith("调研提纲")
    with pytest.raises(InvalidTransition, match="已完成"):
        exchanges.complete_milestone(first, actor=cast.staff2, output="再次")
    # A member who has not accepted (the handler) and a deputy outside the project: no milestone work.
    with pytest.raises(NotAllowed):
        exchanges.complete_milestone(second, actor=cast.handler, output="x")
    with pytest.raises(NotAllowed):
        exchanges.complete_milestone(second, actor=cast.deputy, output="x")
    with pytest.raises(NotAllowed, match="联络人员"):   # a reviewer is no liaison organiser
        exchanges.add_milestone(activity, actor=cast.reviewer, title="不能安排", due_on=dt.date(2027, 2, 1))
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("liaison.research.%"))))
    assert actions == {"liaison.research.milestone", "liaison.research.milestone_done"}


def test_milestones_need_both_sides_a_research_project_and_valid_input(cast):
    lonely = project(cast, members=False)
    exchanges.invite(lonely, actor=cast.staff, users=[cast.staff2])
    with pytest.raises(ValidationFailed, match="双方人员"):
        exchanges.add_milestone(lonely, actor=cast.staff, title="里程碑", due_on=dt.date(2027, 1, 1))
    activity = project(cast)
    with pytest.raises(ValidationFailed) as exc:
        exchanges.add_milestone(activity, actor=cast.staff, title="", due_on=None)
    assert set(exc.value.errors) == {"title", "due_on"}
    hearing = project(cast, kind=ExchangeKind.HEARING)
    with pytest.raises(InvalidTransition, match="联合课题"):
        exchanges.add_milestone(hearing, actor=cast.staff, title="里程碑", due_on=dt.date(2027, 1, 1))
    exchanges.cancel(activity, actor=cast.staff, reason="经费调整")
    with pytest.raises(InvalidTransition, match="已取消"):
        exchanges.add_milestone(activity, actor=cast.staff, title="里程碑", due_on=dt.date(2027, 1, 1))


def test_research_pages(client, login, cast):
    activity = project(cast)
    login(cast.staff)
    page = text_of(client.get(f"/liaison/exchanges/{activity.id}"))
    assert "课题成员" in page and "人大方" in page and "检察方" in page and "尚无里程碑" in page
    response = client.post(f"/liaison/exchanges/{activity.id}/milestone", data={"title": "", "due_on": ""})
    assert response.status_code == 422 and "请填写里程碑名称" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResearchMilestone)) == 0
    response = client.post(f"/liaison/exchanges/{activity.id}/milestone",
                           data={"title": "完成调研提纲", "due_on": "2026-01-15"})
    assert response.status_code == 302
    milestone = db.session.scalar(sa.select(ResearchMilestone))
    page = text_of(client.get(f"/liaison/exchanges/{activity.id}"))
    assert "完成调研提纲" in page and "已逾期" in page
    client.post("/logout")
    login(cast.contact)   # a member from the other side records the output
    response = client.post(f"/liaison/exchanges/milestones/{milestone.id}/done",
                           data={"output": "", "version": milestone.version})
    assert response.status_code == 422 and "请填写阶段成果" in text_of(response)
    response = client.post(f"/liaison/exchanges/milestones/{milestone.id}/done",
                           data={"output": "调研提纲一份", "version": milestone.version})
    assert response.status_code == 302
    listing = text_of(client.get("/liaison/exchanges/research"))
    assert "检察公益诉讼与人大监督衔接机制研究" in listing and "1 / 1" in listing
    client.post("/logout")
    login(cast.d_staff)   # another committee sees neither the project nor its milestones
    assert client.get(f"/liaison/exchanges/{activity.id}").status_code == 404
    assert "检察公益诉讼与人大监督衔接机制研究" not in text_of(client.get("/liaison/exchanges/research"))
