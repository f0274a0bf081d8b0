"""The topic pages: login and scoping (404 for what one may not see), the list with filters and export,
opening a topic, drafting through the forms, issuing, the PDF/XLSX/diff of versions, and the item page
with every acceptance-list refusal answered in Chinese and nothing half-saved."""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from issues.models import ProgressReport, RectificationItem, Responsibility, Topic
from issues.services import issuing, items
from issues.workflow import ItemState, TopicState
from oversight.db import commit, db
from oversight.workdays import today

from .conftest import text_of
from .test_issue_services import crew, draft_topic, issued_topic, the_item  # noqa: F401  (crew: a fixture)


def post_item(client, item, action, **fields):
    db.session.refresh(item)
    return client.post(f"/topics/items/{item.id}/act/{action}",
                       data={f"{action}-version": item.version, **{f"{action}-{k}": v for k, v in fields.items()}})


def post_topic(client, topic, action, **fields):
    db.session.refresh(topic)
    return client.post(f"/topics/{topic.id}/act/{action}",
                       data={f"{action}-version": topic.version, **{f"{action}-{k}": v for k, v in fields.items()}})


def test_login_required_and_scoping(client, login, crew):
    topic = draft_topic(crew)
    assert client.get("/topics/").status_code in (302, 401)
    login(crew.d_contact)
    assert client.get(f"/topics/{topic.id}").status_code == 404
    client.post("/logout")
    login(crew.contact)
    assert client.get(f"/topics/{topic.id}").status_code == 404  # drafts stay with the committee


def test_open_and_draft_through_the_pages(client, login, crew):
    login(crew.staff)
    response = client.post("/topics/new", data={"title": "优化营商环境", "area": "business",
                                                "lead_body": crew.world.body.id, "classification": "internal"})
    assert response.status_code == 302
    topic = db.session.scalar(sa.select(Topic))
    assert client.post(f"/topics/{topic.id}/problems", data={"problem-description": "涉企案件久拖不决",
                                                             "problem-severity": "serious"}).status_code == 302
    problem = topic.problems[0]
    # A responsibility without a responsible unit: refused in Chinese, nothing saved.
    response = client.post(f"/topics/{topic.id}/responsibilities", data={"resp-problem": problem.id, "resp-lead_unit": 0})
    assert response.status_code == 422 and "请选择责任单位" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Responsibility)) == 0
    client.post(f"/topics/{topic.id}/responsibilities", data={"resp-problem": problem.id, "resp-lead_unit": crew.world.proc.id,
                                                              "resp-responsible_person": "张某"})
    resp = db.session.scalar(sa.select(Responsibility))
    # An item without a responsibility, and one due before the issue date.
    response = client.post(f"/topics/{topic.id}/items", data={"item-responsibility": 0, "item-measures": "清理积案",
                                                              "item-due_date": (today() + dt.timedelta(days=30)).isoformat()})
    assert response.status_code == 422 and "请选择责任单位" in text_of(response)
    response = client.post(f"/topics/{topic.id}/items", data={"item-responsibility": resp.id, "item-measures": "清理积案",
                                                              "item-due_date": (today() - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "不能早于或等于清单印发日期" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem)) == 0
    client.post(f"/topics/{topic.id}/items", data={"item-responsibility": resp.id, "item-measures": "清理积案",
                                                   "item-due_date": (today() + dt.timedelta(days=30)).isoformat(),
                                                   "item-progress_every_days": 30})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem)) == 1
    page = text_of(client.get(f"/topics/{topic.id}"))
    assert "问题清单" in page and "责任清单" in page and "整改清单" in page and "涉企案件久拖不决" in page
    assert post_topic(client, topic, "submit").status_code == 302
    db.session.refresh(topic)
    assert topic.state is TopicState.IN_REVIEW


def test_reviewer_issues_and_documents_download(client, login, crew, tmp_path):
    topic = draft_topic(crew, units=[crew.world.proc, crew.ext])
    issuing.submit(topic, actor=crew.staff)
    commit()
    login(crew.reviewer)
    assert post_topic(client, topic, "issue").status_code == 302
    db.session.refresh(topic)
    assert topic.state is TopicState.ISSUED
    pdf = client.get(f"/topics/{topic.id}/versions/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from tests.test_pdf import text_and_fonts

    text, fonts = text_and_fonts(tmp_path, pdf.data)
    compact = "".join(text.split())
    for expected in ("问题1：涉企案件久拖不决", "问题2", "市人民检察院", "市生态环境局", "清理积案1", topic.serial):
        assert expected in compact, expected
    assert "Noto" in fonts
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/topics/{topic.id}/versions/1.xlsx").data))
    assert book.sheetnames == ["问题清单", "责任清单", "整改清单"]
    assert book["整改清单"].max_row == 4  # title, header, two items
    assert "问题清单" in text_of(client.get(f"/topics/{topic.id}/versions/1"))


def test_list_filters_and_export(client, login, crew):
    issued = issued_topic(crew)
    draft_topic(crew)
    login(crew.staff)
    assert text_of(client.get("/topics/")).count("优化营商环境检察监督") == 2
    page = text_of(client.get("/topics/?state=issued"))
    assert page.count("优化营商环境检察监督") == 1 and issued.serial in page
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get("/topics/export.xlsx?state=issued").data))
    assert book.active.max_row == 2
    client.post("/logout")
    login(crew.contact)
    assert text_of(client.get("/topics/")).count("优化营商环境检察监督") == 1  # only the issued one


def test_item_refusals_are_in_chinese_and_nothing_is_half_saved(client, login, crew):
    item = the_item(issued_topic(crew))
    login(crew.contact)
    for percent, message in (("101", "0 到 100 之间"), ("-5", "0 到 100 之间")):
        response = post_item(client, item, "report_progress", percent=percent, text="进展")
        assert response.status_code == 422 and message in text_of(response)
    post_item(client, item, "report_progress", percent="60", text="过半")
    response = post_item(client, item, "report_progress", percent="40", text="回退")
    assert response.status_code == 422 and "请说明原因" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 1
    post_item(client, item, "report_progress", percent="100", text="完成")
    assert post_item(client, item, "request_signoff").status_code == 302
    response = post_item(client, item, "sign_off")
    assert response.status_code == 403 and "责任单位不能对本单位的整改事项执行此操作" in text_of(response)
    db.session.refresh(item)
    assert item.state is ItemState.AWAITING_SIGNOFF
    client.post("/logout")
    login(crew.staff)
    response = post_item(client, item, "return", reason="")
    assert response.status_code == 422 and "请说明理由" in text_of(response)
    assert post_item(client, item, "sign_off").status_code == 302
    db.session.refresh(item)
    assert item.state is ItemState.SIGNED_OFF
    assert "完成率 100%" in text_of(client.get(f"/topics/{item.topic_id}"))


def test_stale_item_form_is_a_conflict(client, login, crew):
    item = the_item(issued_topic(crew))
    login(crew.staff)
    response = client.post(f"/topics/items/{item.id}/act/urge", data={"urge-version": item.version - 1})
    assert response.status_code == 409 and "他人修改" in text_of(response)


def test_version_diff_page(client, login, crew):
    topic = issued_topic(crew)
    items.report_progress(the_item(topic), actor=crew.contact, percent=10, text_="开始")
    issuing.revise(topic, actor=crew.staff, reason="补充")
    from issues.services import lists

    lists.update_item(the_item(topic), actor=crew.staff, measures="清理积案并建章立制")
    issuing.submit(topic, actor=crew.staff)
    issuing.issue(topic, actor=crew.reviewer)
    commit()
    login(crew.staff)
    page = text_of(client.get(f"/topics/{topic.id}/versions/2"))
    assert "与第 1 版相比的变化" in page and "清理积案并建章立制" in page and "修改" in page


def test_units_see_only_the_issued_lists_during_a_revision(client, login, crew):
    """After 修订清单 the unit keeps seeing the last issued lists: no drafts, no send-back note, no internal steps."""
    from issues.services import lists

    topic = issued_topic(crew)
    issuing.revise(topic, actor=crew.staff, reason="内部修订理由")
    problem = lists.add_problem(topic, actor=crew.staff, description="草稿问题：尚未印发")
    resp = lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.proc)
    lists.add_item(resp, actor=crew.staff, measures="草稿措施", due_date=today() + dt.timedelta(days=60))
    lists.update_item(the_item(topic), actor=crew.staff, measures="改写后的草稿措施")
    issuing.submit(topic, actor=crew.staff)
    issuing.send_back(topic, actor=crew.reviewer, reason="审核人的内部退回意见")
    commit()
    login(crew.contact)
    page = text_of(client.get(f"/topics/{topic.id}"))
    assert "清理积案1" in page and "问题1：涉企案件久拖不决" in page
    for secret in ("草稿问题", "草稿措施", "待印发", "审核人的内部退回意见", "内部修订理由", "退回修改", "提请审核"):
        assert secret not in page, secret
    client.post("/logout")
    login(crew.staff)
    page = text_of(client.get(f"/topics/{topic.id}"))
    assert "草稿问题" in page and "审核人的内部退回意见" in page


def test_a_unit_named_only_in_an_unissued_revision_does_not_see_the_topic(crew):
    from issues import permissions, queries
    from issues.services import lists

    topic = issued_topic(crew)
    issuing.revise(topic, actor=crew.staff, reason="补充")
    problem = lists.add_problem(topic, actor=crew.staff, description="新问题")
    resp = lists.add_responsibility(problem, actor=crew.staff, lead_unit=crew.world.d_proc)
    lists.add_item(resp, actor=crew.staff, measures="草稿措施", due_date=today() + dt.timedelta(days=60))
    commit()
    assert not permissions.can_view(crew.d_contact, topic)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)
                             .where(queries.visible_to(crew.d_contact))) == 0
    issuing.submit(topic, actor=crew.staff)
    issuing.issue(topic, actor=crew.reviewer)
    commit()
    assert permissions.can_view(crew.d_contact, topic)


def test_a_source_referral_the_viewer_may_not_see_is_not_named(client, login, crew):
    from oversight.referrals import services as referral_services
    from oversight.referrals.queries import types_for
    from oversight.referrals.workflow import Direction

    rtype = next(t for t in types_for(Direction.NPC_TO_PROCURATORATE) if not t.requires_deputy)
    ref = referral_services.create_referral(actor=crew.staff, rtype=rtype, receiver=crew.world.proc,
                                            title="尚未发出的机密线索", body="内容")
    topic = issued_topic(crew)
    from issues.services import topics as topic_services

    topic_services.link_referral(topic, actor=crew.staff, referral=ref)
    commit()
    login(crew.contact)
    page = text_of(client.get(f"/topics/{topic.id}"))
    assert "尚未发出的机密线索" not in page
    client.post("/logout")
    login(crew.staff)
    assert "尚未发出的机密线索" in text_of(client.get(f"/topics/{topic.id}"))


def test_downloads_are_audited(client, login, crew):
    from .test_issue_services import audits

    topic = issued_topic(crew)
    login(crew.contact)
    assert client.get(f"/topics/{topic.id}/versions/1.pdf").status_code == 200
    assert client.get(f"/topics/{topic.id}/versions/1.xlsx").status_code == 200
    assert audits("topic.version.downloaded") == 2
    assert client.get("/topics/export.xlsx").status_code == 200
    assert audits("topic.export.downloaded") == 1
    assert client.get("/topics/items/progress.xlsx").status_code == 200
    assert audits("rectification.progress_sheet.downloaded") == 1
