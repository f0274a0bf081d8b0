"""The responsible unit's items list (issued values beside working ones), the item page's evidence
files, the workflow help page, and the topic list's roll-ups from one query."""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from issues import queries
from issues.models import ProgressReport
from issues.services import issuing, items, lists
from oversight.attachments.models import Attachment
from oversight.db import commit, db
from oversight.workdays import today

from .conftest import text_of
from .test_attachments import pdf, png
from .test_issue_services import crew, draft_topic, issued_topic, the_item  # noqa: F401  (crew: a fixture)


def test_a_unit_sees_its_own_items_earliest_due_first_and_pages_on(app, client, login, crew):
    w = crew.world
    topic = issued_topic(crew, units=[w.proc, w.proc, crew.ext])
    mine = sorted((i for p in topic.problems for r in p.responsibilities for i in r.items if i.unit_id == w.proc.id),
                  key=lambda i: i.id)
    lists_before = len(mine)
    login(crew.contact)
    page = text_of(client.get("/topics/items/"))
    assert "清理积案1" in page and "清理积案2" in page and "清理积案3" not in page   # not the external unit's
    app.config["PAGE_SIZE"] = 1
    first = client.get("/topics/items/")
    assert "下一页" in text_of(first)
    after = f"{mine[0].due_date.isoformat()}~{mine[0].id}"
    second = text_of(client.get(f"/topics/items/?after={after}"))
    assert "清理积案2" in second and "清理积案1" not in second and lists_before == 2
    client.post("/logout")
    login(crew.d_contact)   # another procuratorate: nothing of this topic
    assert "目前没有需要本单位办理的整改事项" in text_of(client.get("/topics/items/"))
    client.post("/logout")
    login(crew.staff)       # the owner side sees every unit's items and filters by unit
    app.config["PAGE_SIZE"] = 50
    page = text_of(client.get(f"/topics/items/?unit={crew.ext.id}"))
    assert "清理积案3" in page and "清理积案1" not in page


def test_filters_overdue_and_signed_off(client, login, crew):
    topic = issued_topic(crew, units=[crew.world.proc, crew.world.proc])
    late, done = sorted((i for p in topic.problems for r in p.responsibilities for i in r.items), key=lambda i: i.id)
    late.due_date = today() - dt.timedelta(days=3)
    items.report_progress(done, actor=crew.contact, percent=100, text_="完成")
    items.request_signoff(done, actor=crew.contact)
    items.sign_off(done, actor=crew.staff)
    commit()
    login(crew.contact)
    assert "清理积案2" not in text_of(client.get("/topics/items/"))           # signed off: not open work
    assert "清理积案2" in text_of(client.get("/topics/items/?state=all"))
    overdue = text_of(client.get("/topics/items/?due=overdue"))
    assert "清理积案1" in overdue and "清理积案2" not in overdue
    assert "没有符合条件的整改事项" in text_of(client.get("/topics/items/?due=due_soon"))
    assert client.get("/topics/items/?state=nonsense").status_code == 200   # bad input: ignored, not a crash


def test_issued_due_date_and_measures_beside_the_working_values(client, login, crew):
    topic = issued_topic(crew)
    item = the_item(topic)
    issued_due = item.due_date
    items.report_progress(item, actor=crew.contact, percent=30, text_="已部署")
    items.request_extension(item, actor=crew.contact, until=issued_due + dt.timedelta(days=30), reason="任务重")
    items.decide_extension(item, actor=crew.staff, approve=True)
    commit()
    login(crew.contact)
    page = text_of(client.get("/topics/items/"))
    assert issued_due.isoformat() in page and (issued_due + dt.timedelta(days=30)).isoformat() in page
    assert "已延期" in page and "第 1 版" in page
    item_page = text_of(client.get(f"/topics/items/{item.id}"))
    assert "当前期限与印发版本不同" in item_page and "第 1 版" in item_page

    # A revision rewrites the measures in a draft: the unit keeps reading the issued text, flagged.
    issuing.revise(topic, actor=crew.staff, reason="调整")
    lists.update_item(item, actor=crew.staff, measures="改写后的草稿措施")
    commit()
    for url in ("/topics/items/", f"/topics/items/{item.id}"):
        page = text_of(client.get(url))
        assert "清理积案1" in page and "改写后的草稿措施" not in page, url
        assert "措施修订中" in page and "清单修订中" in page, url
    client.post("/logout")
    login(crew.staff)
    page = text_of(client.get(f"/topics/items/{item.id}"))
    assert "改写后的草稿措施" in page and "整改措施与印发版本不同：清理积案1" in page


def _report(crew, item):
    items.report_progress(item, actor=crew.contact, percent=40, text_="已清理一半", evidence="台账")
    commit()
    return db.session.scalar(sa.select(ProgressReport).where(ProgressReport.item_id == item.id))


def _upload(client, item, report, data, name):
    return client.post(f"/topics/items/{item.id}/reports/{report.id}/attachments",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_responsible_unit_attaches_evidence_and_both_sides_read_it(client, login, crew):
    item = the_item(issued_topic(crew))
    report = _report(crew, item)
    login(crew.contact)
    assert "上传佐证材料" in text_of(client.get(f"/topics/items/{item.id}"))
    assert _upload(client, item, report, png(), "现场照片.png").status_code == 302
    attachment = db.session.scalar(sa.select(Attachment))
    assert (attachment.owner_type, attachment.owner_id, attachment.internal) == ("progress_reports", report.id, False)
    assert "现场照片.png" in text_of(client.get(f"/topics/items/{item.id}"))
    # Not a permitted type: refused in Chinese, nothing stored.
    client.post(f"/topics/items/{item.id}/reports/{report.id}/attachments",
                data={"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")}, content_type="multipart/form-data")
    assert "文件类型不符" in text_of(client.get(f"/topics/items/{item.id}"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 1
    client.post("/logout")

    login(crew.staff)   # the owner side reads, downloads — and may not attach for a unit with accounts
    page = text_of(client.get(f"/topics/items/{item.id}"))
    assert "现场照片.png" in page and "上传佐证材料" not in page
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == png()
    download.close()
    assert _upload(client, item, report, pdf(), "人大.pdf").status_code == 403
    client.post("/logout")

    login(crew.d_contact)   # another procuratorate: the file does not exist for it
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert _upload(client, item, report, pdf(), "x.pdf").status_code == 404


def test_no_evidence_after_sign_off_and_npc_staff_attach_for_a_unit_without_accounts(client, login, crew):
    topic = issued_topic(crew, units=[crew.world.proc, crew.ext])
    own, external = sorted((i for p in topic.problems for r in p.responsibilities for i in r.items), key=lambda i: i.id)
    report = _report(crew, own)
    items.report_progress(own, actor=crew.contact, percent=100, text_="完成")
    items.request_signoff(own, actor=crew.contact)
    items.sign_off(own, actor=crew.staff)
    items.report_progress(external, actor=crew.staff, percent=50, text_="代为录入")
    commit()
    ext_report = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.item_id == external.id))
    login(crew.contact)
    assert _upload(client, own, report, pdf(), "晚了.pdf").status_code == 403
    client.post("/logout")
    login(crew.staff)
    assert _upload(client, external, ext_report, pdf(), "代录材料.pdf").status_code == 302
    assert "代录材料.pdf" in text_of(client.get(f"/topics/items/{external.id}"))


def test_help_page_is_drawn_from_the_workflow_tables_and_linked(client, login, crew):
    from issues import labels
    from issues.workflow import ITEM_TRANSITIONS, TOPIC_TRANSITIONS

    login(crew.contact)
    page = text_of(client.get("/topics/help"))
    with client.application.test_request_context():
        for (_s, action), rule in ITEM_TRANSITIONS.items():
            assert labels.item_action(action) in page
            assert labels.guard(rule.guard) in page
        for (_s, action), rule in TOPIC_TRANSITIONS.items():
            assert labels.topic_action(action) in page
    assert "/topics/help" in client.get("/topics/").get_data(as_text=True)
    item = the_item(issued_topic(crew))
    assert "/topics/help" in client.get(f"/topics/items/{item.id}").get_data(as_text=True)


def test_list_rollups_from_one_query_match_the_topic_page(crew):
    topic = issued_topic(crew, units=[crew.world.proc, crew.world.proc, crew.ext])
    first = the_item(topic)
    items.report_progress(first, actor=crew.contact, percent=60, text_="过半")
    items.accept_progress(first, actor=crew.staff, percent=50)
    commit()
    whole = queries.progress(topic).topic
    quick = queries.rollups([topic.id])[topic.id]
    assert (quick.items, quick.signed_off, quick.overdue, quick.reported, quick.accepted, quick.completion) == \
        (whole.items, whole.signed_off, whole.overdue, whole.reported, whole.accepted, whole.completion)
    draft = draft_topic(crew)
    assert queries.rollups([draft.id])[draft.id].items == 0   # drafts count nothing


def test_topic_list_empty_states(client, login, crew):
    login(crew.staff)
    assert "还没有监督议题" in text_of(client.get("/topics/"))
    draft_topic(crew)
    assert "没有符合条件的监督议题" in text_of(client.get("/topics/?state=closed"))
