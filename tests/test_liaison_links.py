"""Agenda items linking oversight topics and produced reports (only what the user may see), and an
action item spawning an oversight topic that carries its context and records its source."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from issues.models import SourceKind, Topic
from issues.services import topics as topic_services
from liaison.minutes import item_services
from liaison.minutes.permissions import item_actions
from liaison.minutes.workflow import ItemAction
from liaison.meetings import services as meetings
from oversight.audit.models import AuditEntry
from oversight.db import commit, db, utcnow
from oversight.errors import NotAllowed, ValidationFailed
from oversight.referrals.models import Classification
from reports.models import ReportRun, RunStatus

from .conftest import text_of
from .liaison_fixtures import at, cast, make_meeting  # noqa: F401  (fixtures)
from .test_liaison_minutes import _item


def _produced(organisation, period="2026-10") -> ReportRun:
    run = ReportRun(report="monthly", period_key=period, organisation_id=organisation.id, status=RunStatus.SUCCEEDED,
                    classification=Classification.INTERNAL, pdf=b"%PDF", xlsx=b"PK", finished_at=utcnow())
    db.session.add(run)
    db.session.flush()
    return run


@pytest.fixture
def linkable(cast):
    mine = topic_services.create_topic(actor=cast.staff, title="涉企案件久拖不决专项监督", lead_body=cast.world.body)
    foreign = topic_services.create_topic(actor=cast.outsider, title="外市监督议题",
                                          lead_body=cast.outsider.organisation)
    city_run, foreign_run = _produced(cast.world.npc), _produced(cast.outsider.organisation, "2026-09")
    commit()
    return mine, foreign, city_run, foreign_run


def test_agenda_item_links_a_topic_and_a_report_the_user_may_see(cast, make_meeting, linkable):
    mine, foreign, city_run, foreign_run = linkable
    m = make_meeting()
    by_topic = meetings.add_agenda_item(m, actor=cast.staff, topic=mine)
    by_report = meetings.add_agenda_item(m, actor=cast.staff, title="通报十月移送事项办理情况", report_run=city_run)
    commit()
    assert by_topic.topic == mine and by_topic.title == "监督议题《涉企案件久拖不决专项监督》"
    assert by_report.report_run == city_run and by_report.title == "通报十月移送事项办理情况"
    summary = db.session.scalar(sa.select(AuditEntry.summary).where(AuditEntry.action == "liaison.meeting.agenda")
                                .order_by(AuditEntry.seq.desc()).limit(1))
    assert f'"report_run":{city_run.id}' in summary.replace(" ", "")
    # A forged id of something outside the user's sight is refused in Chinese, nothing added.
    with pytest.raises(ValidationFailed, match="无权查看所选监督议题"):
        meetings.add_agenda_item(m, actor=cast.staff, topic=foreign)
    with pytest.raises(ValidationFailed, match="无权查看所选报告"):
        meetings.add_agenda_item(m, actor=cast.staff, report_run=foreign_run)
    db.session.rollback()
    assert len(m.agenda) == 2


def test_agenda_pickers_list_only_visible_topics_and_reports(client, login, cast, make_meeting, linkable):
    mine, foreign, city_run, foreign_run = linkable
    m = make_meeting()
    commit()
    login(cast.staff)
    page = client.get(f"/liaison/meetings/{m.id}").get_data(as_text=True)
    assert f'<option value="{mine.id}">' in page and "涉企案件久拖不决专项监督" in page
    assert "外市监督议题" not in page
    assert f'value="{city_run.id}"' in page and f'value="{foreign_run.id}"' not in page
    response = client.post(f"/liaison/meetings/{m.id}/agenda", data={"topic": foreign.id, "version": m.version})
    assert response.status_code == 422 and "请从列表中选择" in text_of(response)
    response = client.post(f"/liaison/meetings/{m.id}/agenda",
                           data={"topic": mine.id, "report": city_run.id, "version": m.version})
    assert response.status_code == 302
    page = text_of(client.get(f"/liaison/meetings/{m.id}"))
    assert "查看监督议题" in page and "查看报告" in page


def test_action_item_spawns_an_oversight_topic_with_its_context(cast, make_meeting):
    item = _item(cast, make_meeting)
    assert ItemAction.SPAWN_TOPIC in item_actions(cast.staff, item)
    assert ItemAction.SPAWN_TOPIC not in item_actions(cast.contact, item)   # the procuratorate owns no topic
    assert ItemAction.SPAWN_TOPIC not in item_actions(cast.d_staff, item)   # nor another committee
    with pytest.raises(NotAllowed):
        item_services.spawn_topic(item, actor=cast.contact, lead_body=cast.world.body)
    with pytest.raises(ValidationFailed, match="牵头机构"):
        item_services.spawn_topic(item, actor=cast.staff, lead_body=cast.world.d_npc)
    version = item.version
    topic = item_services.spawn_topic(item, actor=cast.staff, lead_body=cast.world.body, expected_version=version)
    commit()
    assert item.topic == topic and topic.owner_org == cast.world.npc and topic.lead_body == cast.world.body
    assert topic.title == item.title
    assert "联络会议" in topic.description and "议题一" in topic.description and "2026-12-15" in topic.description
    (source,) = topic.sources
    assert source.kind is SourceKind.MEETING_DECISION
    assert "联络会议" in source.reference and "检察院排查涉企案件久拖不决问题" in source.reference
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "liaison.action_item.spawn_topic", AuditEntry.object_id == str(item.id))) == 1
    # The same form sent twice yields the same topic; afterwards the step is gone.
    assert item_services.spawn_topic(item, actor=cast.staff, lead_body=cast.world.body,
                                     expected_version=version) == topic
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == 1
    assert ItemAction.SPAWN_TOPIC not in item_actions(cast.staff, item)


def test_spawn_topic_through_the_item_page(client, login, cast, make_meeting):
    item = _item(cast, make_meeting)
    login(cast.staff)
    page = text_of(client.get(f"/liaison/minutes/items/{item.id}"))
    assert "转为监督议题" in page
    response = client.post(f"/liaison/minutes/items/{item.id}/spawn_topic",
                           data={"lead_body": cast.world.body.id, "area": "business", "title": "",
                                 "version": item.version})
    assert response.status_code == 302 and "/topics/" in response.headers["Location"]
    db.session.expire_all()
    assert item.topic is not None and item.topic.area.value == "business"
    page = text_of(client.get(f"/liaison/minutes/items/{item.id}"))
    assert "监督议题" in page and item.topic.title in page
    client.post("/logout")
    login(cast.contact)
    response = client.post(f"/liaison/minutes/items/{item.id}/spawn_topic",
                           data={"lead_body": cast.world.body.id, "area": "other", "version": item.version})
    assert response.status_code in (403, 409, 422)
