"""The referral pages: lists and scoping, pagination, filters, export, every action through POST,
conflicts, the new-referral form, the help and deadline pages, the thread and the NPC-side log."""
from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.referrals import deadlines, queries, report_services, services, views
from oversight.referrals.models import Referral, ReferralEvent, ReferralType
from oversight.referrals.workflow import NPC_TO_P, P_TO_NPC, Action, Evaluation, Outcome, State
from oversight.workdays import today

from .conftest import text_of
from .test_i18n import CJK, english_catalog  # noqa: F401  (the compiled English catalog, a fixture)

UTC = dt.timezone.utc


def rtype(code: str) -> ReferralType:
    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == code))


@pytest.fixture
def people(world, make_user):
    """Everyone the pages distinguish: both sides of the city pair and of the district pair."""
    return SimpleNamespace(
        staff=world.staff, contact=world.contact,
        handler=make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER}),
        reviewer=make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}),
        deputy=make_user("deputy", world.station, roles={Role.DEPUTY}),
        d_staff=make_user("d_staff", world.d_npc, roles={Role.NPC_STAFF}),
        d_contact=make_user("d_contact", world.d_proc, roles={Role.PROCURATORATE_CONTACT}),
    )


def make(world, *, actor=None, receiver=None, code="inspection_finding", title="某问题", send=True, **kw) -> Referral:
    r = services.create_referral(actor=actor or world.staff, rtype=rtype(code), receiver=receiver or world.proc,
                                 title=title, body="情况说明", **kw)
    if send:
        services.send(r, actor=actor or world.staff)
    commit()
    return r


def post(client, r: Referral, action: str, **fields):
    """POST one action's form as the detail page would, with the referral's current version."""
    db.session.refresh(r)
    data = {f"{action}-version": r.version, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/referrals/{r.id}/{action}", data=data)


def ids_in(response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/referrals/(\d+)"', response.get_data(as_text=True))]


def follow_pages(client, url: str) -> list[int]:
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += ids_in(response)
        nxt = re.search(r'<nav class="pagination"[^>]*>\s*<a class="button" href="([^"]+)"', response.get_data(as_text=True))
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        pages += 1
        assert pages < 20
    return seen


# --- lists and who sees what -------------------------------------------------------------------------

def test_lists_render_for_each_role_and_show_only_visible_items(world, people, client, login):
    city = make(world, title="市级事项")
    district = make(world, actor=people.d_staff, receiver=world.d_proc, title="区级事项")
    draft = make(world, title="市级草稿", send=False)
    suggestion = make(world, code="deputy_suggestion", title="代表的建议", deputy=people.deputy)

    expected = {  # user: (inbox, search)
        "staff": ({draft.id}, {city.id, district.id, draft.id, suggestion.id}),
        "contact": ({city.id, suggestion.id}, {city.id, district.id, suggestion.id}),
        "reviewer": (set(), {city.id, district.id, draft.id, suggestion.id}),
        "deputy": (set(), {suggestion.id}),
        "handler": (set(), set()),
        "d_staff": (set(), {district.id}),
        "d_contact": ({district.id}, {district.id}),
    }
    for name, (inbox, found) in expected.items():
        client.post("/logout")
        login(getattr(people, name))
        for url in ("/referrals/", "/referrals/sent", "/referrals/search", "/referrals/help"):
            assert client.get(url).status_code == 200, (name, url)
        assert set(ids_in(client.get("/referrals/"))) == inbox, name
        assert set(ids_in(client.get("/referrals/search"))) == found, name
        for r in (city, district, draft, suggestion):
            assert client.get(f"/referrals/{r.id}").status_code == (200 if r.id in found else 404), (name, r.title)

    # An unrelated district guessing an id learns nothing, and cannot act either.
    client.post("/logout")
    login(people.d_contact)
    assert client.get(f"/referrals/{city.id}").status_code == 404
    assert post(client, city, "acknowledge").status_code == 404
    assert client.get(f"/referrals/{city.id}/deadline/ack").status_code == 404
    db.session.refresh(city)
    assert city.state is State.SENT


def test_inbox_follows_the_work(world, people, client, login):
    r = make(world, code="deputy_suggestion", deputy=people.deputy)
    services.acknowledge(r, actor=world.contact)
    services.accept(r, actor=world.contact, procedural_reply="已受理")
    services.assign(r, actor=world.contact, department=world.dept, handler=people.handler)
    commit()
    login(people.handler)
    assert ids_in(client.get("/referrals/")) == [r.id]
    services.reply(r, actor=people.handler, outcome=Outcome.RESOLVED, text="已办理")
    commit()
    assert ids_in(client.get("/referrals/")) == []
    client.post("/logout")
    login(people.deputy)  # the deputy evaluates their own suggestion
    assert ids_in(client.get("/referrals/")) == [r.id]
    assert ids_in(client.get("/referrals/sent")) == [r.id]


def test_keyset_pagination(app, world, client, login):
    app.config["PAGE_SIZE"] = 2
    try:
        made = [make(world, title=f"事项{i}") for i in range(5)] + [make(world, title=f"草稿{i}", send=False)
                                                                   for i in range(2)]
        login(world.staff)
        by_due = follow_pages(client, "/referrals/search?sort=due")
        assert sorted(by_due) == sorted(r.id for r in made) and len(by_due) == 7
        assert by_due[-2:] == [made[5].id, made[6].id]  # no due date: last
        by_update = follow_pages(client, "/referrals/search?sort=updated")
        assert by_update == [r.id for r in reversed(made)]
        client.post("/logout")
        login(world.contact)
        assert follow_pages(client, "/referrals/") == [r.id for r in made[:5]]
        assert client.get("/referrals/search?after=garbage").status_code == 200  # a mangled cursor: page one
    finally:
        app.config["PAGE_SIZE"] = 50


def test_filters(world, people, client, login):
    a = make(world, title="关于看守所监管的问题")
    b = make(world, code="deputy_suggestion", deputy=people.deputy, title="100%_完成")
    c = make(world, title="草稿事项", send=False)
    report = make(world, actor=world.contact, receiver=world.npc, code="work_report", title="工作报告")
    login(world.staff)

    def found(**args):
        return set(ids_in(client.get("/referrals/search", query_string=args)))

    assert found(direction="procuratorate_to_npc") == {report.id}
    assert found(type=rtype("deputy_suggestion").id) == {b.id}
    assert found(state="draft") == {c.id}
    assert found(organisation=world.npc.id) == {a.id, b.id, c.id, report.id}
    assert found(organisation=world.d_proc.id) == set()
    assert found(q="看守所") == {a.id}
    assert found(q="%_") == {b.id}  # LIKE wildcards are taken literally
    assert found(q=a.serial.lower()) == {a.id}
    assert found(year=today().year) == {a.id, b.id, c.id, report.id}
    assert found(year=today().year - 1) == set()
    assert client.get("/referrals/search?state=bogus&year=x").status_code == 200  # bad values: ignored

    on = today()
    dues = {a: on + dt.timedelta(days=60), b: on, report: on - dt.timedelta(days=1)}
    for r, due in dues.items():
        r.current_due = due
    commit()
    assert found(due="normal") == {a.id}
    assert found(due="due_soon") == {b.id}
    assert found(due="overdue") == {report.id}
    report.current_due = on - dt.timedelta(days=40)
    commit()
    assert found(due="severely_overdue") == {report.id} and found(due="overdue") == set()


def test_due_thresholds_agree_with_deadlines_status(app):
    for start in (dt.date(2026, 9, 28), dt.date(2026, 10, 9), dt.date(2026, 2, 13), today()):
        t = queries.DueThresholds.on(start)
        for offset in range(-40, 40):
            due = start + dt.timedelta(days=offset)
            assert t.status(due) is deadlines.status(due, start), (start, due)


# --- export ----------------------------------------------------------------------------------------------

def test_export_xlsx_has_timestamps_and_due_dates(world, people, client, login, monkeypatch):
    from openpyxl import load_workbook
    from zoneinfo import ZoneInfo

    r = make(world)
    services.acknowledge(r, actor=world.contact)
    services.accept(r, actor=world.contact, procedural_reply="已受理")
    services.assign(r, actor=world.contact, department=world.dept, handler=people.handler)
    services.reply(r, actor=people.handler, outcome=Outcome.RESOLVED, text="已办理")
    services.evaluate(r, actor=world.staff, evaluation=Evaluation.SATISFIED)
    commit()
    make(world, title="另一件")
    login(world.staff)
    response = client.get("/referrals/export.xlsx?q=某问题")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]
    for name in ("发出时间", "签收时间", "受理时间", "交办时间", "答复时间", "评价时间", "办结时间",
                 "签收期限", "程序性答复期限", "办理期限", "最长办理期限", "评价期限", "当前期限",
                 "编号", "类型", "方向", "发出单位", "接收单位", "状态", "办理结果", "评价", "办理轮次", "催办次数"):
        assert name in header, name
    assert len(data) == 1  # the search's filters apply: "另一件" is left out
    row = data[0]
    assert row["编号"] == r.serial
    shanghai = ZoneInfo("Asia/Shanghai")
    db.session.refresh(r)
    for column, moment in (("发出时间", r.sent_at), ("签收时间", r.acknowledged_at), ("受理时间", r.accepted_at),
                           ("交办时间", r.assigned_at), ("答复时间", r.replied_at), ("评价时间", r.evaluated_at),
                           ("办结时间", r.closed_at)):
        assert abs(row[column] - moment.astimezone(shanghai).replace(tzinfo=None)) < dt.timedelta(seconds=1), column
    assert row["签收期限"].date() == r.ack_due and row["办理期限"].date() == r.result_due
    assert row["评价期限"] is None and row["状态"] == "已办结" and row["评价"] == "满意"

    monkeypatch.setattr(views.lists, "EXPORT_MAX_ROWS", 1)
    response = client.get("/referrals/export.xlsx")
    assert response.status_code == 302 and "/referrals/search" in response.location
    assert "超过 1 条" in text_of(client.get(response.location))


# --- actions through the pages ----------------------------------------------------------------------------

def new_form(world, **fields):
    return {"type": rtype("inspection_finding").id, "receiver": world.proc.id, "title": "某问题",
            "body": "情况说明", "classification": "", "client_token": "tok-1", **fields}


def test_full_round_trip_through_posts(world, people, client, login):
    login(world.staff)
    page = client.get("/referrals/new?direction=npc_to_procuratorate")
    assert page.status_code == 200 and 'name="client_token"' in page.get_data(as_text=True)
    response = client.post("/referrals/new?direction=npc_to_procuratorate",
                           data=new_form(world, send_now="保存并移送"))
    assert response.status_code == 302
    r = db.session.scalar(sa.select(Referral))
    assert r.state is State.SENT and r.serial
    assert "已发出" in text_of(client.get(response.location))

    def act(user, action, expect: State, **fields):
        client.post("/logout")
        login(user)
        assert action in client.get(f"/referrals/{r.id}").get_data(as_text=True)
        response = post(client, r, action, **fields)
        assert response.status_code == 302, text_of(response)
        db.session.refresh(r)
        assert r.state is expect, action

    act(world.contact, "acknowledge", State.ACKNOWLEDGED)
    act(world.contact, "accept", State.ACCEPTED, procedural_reply="已受理，正在核查")
    act(world.contact, "assign", State.IN_PROGRESS, department=world.dept.id, handler=people.handler.id)
    act(people.handler, "reply", State.REPLIED, outcome="in_progress", text="正在整改")
    act(world.staff, "evaluate", State.IN_PROGRESS, evaluation="dissatisfied", reasons="措施不具体")
    assert r.round == 2
    act(people.handler, "reply", State.REPLIED, outcome="resolved", text="已整改完毕")
    act(world.staff, "evaluate", State.CLOSED, evaluation="basically_satisfied")
    assert [e.action for e in r.events] == ["send", "acknowledge", "accept", "assign", "reply", "evaluate",
                                            "reply", "evaluate"]
    page = text_of(client.get(f"/referrals/{r.id}"))
    assert "不满意，重新办理（第 2 轮）：措施不具体" in page and "基本满意" in page
    act(world.staff, "archive", State.ARCHIVED)


def test_report_to_the_npc_and_its_opinions(world, client, login):
    login(world.contact)
    session = today() + dt.timedelta(days=40)
    response = client.post("/referrals/new?direction=procuratorate_to_npc", data={
        "type": rtype("special_work_report").id, "receiver": world.npc.id, "title": "专项工作报告", "body": "报告正文",
        "classification": "", "client_token": "rep-1", "session_date": session.isoformat(), "send_now": "保存并报送"})
    assert response.status_code == 302
    r = db.session.scalar(sa.select(Referral))
    assert r.state is State.SUBMITTED
    assert "会议前 20 日" in text_of(client.get(f"/referrals/{r.id}"))
    client.post("/logout")
    login(world.staff)
    assert post(client, r, "receive").status_code == 302
    assert post(client, r, "schedule", session_date=session.isoformat()).status_code == 302
    assert post(client, r, "issue_opinions", opinions_type=rtype("deliberation_opinion").id, title="",
                text="建议加强某项工作").status_code == 302
    db.session.refresh(r)
    child = db.session.scalar(sa.select(Referral).where(Referral.parent_id == r.id))
    assert r.state is State.CLOSED and child.state is State.SENT and child.receiver_org_id == world.proc.id
    assert f'href="/referrals/{child.id}"' in client.get(f"/referrals/{r.id}").get_data(as_text=True)


def test_stale_version_gives_409(world, client, login):
    r = make(world)
    stale = r.version
    services.urge(r, actor=world.staff, note="请尽快签收")
    commit()
    login(world.contact)
    response = client.post(f"/referrals/{r.id}/acknowledge", data={"acknowledge-version": stale})
    assert response.status_code == 409 and "已被他人修改" in text_of(response)
    db.session.refresh(r)
    assert r.state is State.SENT


def test_action_not_valid_now_is_refused_in_chinese_and_changes_nothing(world, client, login):
    r = make(world)
    version, events = r.version, len(r.events)
    login(world.staff)
    response = post(client, r, "evaluate", evaluation="satisfied")
    assert response.status_code == 409
    assert "事项当前处于“已移送”状态，不能执行“评价”" in text_of(response)
    client.post("/logout")
    login(world.contact)
    response = post(client, r, "urge", note="")
    assert response.status_code == 403 and "只有人大方" in text_of(response)
    assert client.post(f"/referrals/{r.id}/no_such_action", data={}).status_code == 404
    db.session.refresh(r)
    assert (r.state, r.version, len(r.events)) == (State.SENT, version, events)


def test_double_submitted_form_creates_one_referral(world, client, login):
    login(world.staff)
    first = client.post("/referrals/new?direction=npc_to_procuratorate", data=new_form(world, send_now="x"))
    second = client.post("/referrals/new?direction=npc_to_procuratorate", data=new_form(world, send_now="x"))
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1
    assert db.session.scalar(sa.select(Referral)).state is State.SENT


def test_missing_fields_give_chinese_errors_and_save_nothing(world, client, login):
    login(world.staff)
    response = client.post("/referrals/new?direction=npc_to_procuratorate",
                           data=new_form(world, type=0, title="", body=" "))
    assert response.status_code == 422
    page = text_of(response)
    for message in ("请选择事项类型。", "请填写标题。", "请填写事项内容。"):
        assert message in page
    response = client.post("/referrals/new?direction=npc_to_procuratorate",
                           data=new_form(world, type=rtype("deputy_suggestion").id))
    assert response.status_code == 422 and "代表建议须注明提出建议的人大代表。" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0

    r = make(world)
    services.acknowledge(r, actor=world.contact)
    commit()
    client.post("/logout")
    login(world.contact)
    response = post(client, r, "accept", procedural_reply="")
    assert response.status_code == 422 and "受理须填写程序性答复。" in text_of(response)
    response = post(client, r, "return", reason="不属本院管辖", suggested_receiver=0)
    assert response.status_code == 422 and "退回须注明建议的接收单位。" in text_of(response)
    db.session.refresh(r)
    assert r.state is State.ACKNOWLEDGED and r.procedural_reply is None

    # A rule only the service knows (not a field's shape) comes back on the page too, unsaved.
    for step in (lambda: services.accept(r, actor=world.contact, procedural_reply="已受理"),
                 lambda: services.assign(r, actor=world.contact, department=world.dept, handler=None),
                 lambda: services.reply(r, actor=world.contact, outcome=Outcome.RESOLVED, text="已办理")):
        step()
    commit()
    client.post("/logout")
    login(world.staff)
    response = post(client, r, "evaluate", evaluation="dissatisfied", reasons="")
    assert response.status_code == 422 and "评价为“不满意”时须说明理由。" in text_of(response)
    db.session.refresh(r)
    assert r.state is State.REPLIED and r.evaluation is None


def test_deputy_writes_a_suggestion_for_staff_to_send(world, people, client, login):
    login(people.deputy)
    page = client.get("/referrals/new?direction=npc_to_procuratorate").get_data(as_text=True)
    assert 'name="deputy"' not in page and 'name="send_now"' not in page
    response = client.post("/referrals/new?direction=npc_to_procuratorate",
                           data=new_form(world, type=rtype("deputy_suggestion").id))
    assert response.status_code == 302
    r = db.session.scalar(sa.select(Referral))
    assert r.deputy_id == people.deputy.id and r.state is State.DRAFT
    assert client.get("/referrals/new?direction=procuratorate_to_npc").status_code == 403
    client.post("/logout")
    login(world.staff)
    assert ids_in(client.get("/referrals/")) == [r.id]  # the draft waits for staff to send it
    assert post(client, r, "send").status_code == 302


# --- help, deadlines, thread, NPC log --------------------------------------------------------------------

def test_help_page_lists_every_action_of_both_tables(world, client, login):
    from oversight.referrals import labels

    login(world.staff)
    html = client.get("/referrals/help").get_data(as_text=True)
    for direction, table in (("npc_to_procuratorate", NPC_TO_P), ("procuratorate_to_npc", P_TO_NPC)):
        section = html.split(f'id="flow-{direction}"')[1].split("</section>")[0]
        rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<th scope=\"row\">(.*?)</th>", section)
        with db.session.no_autoflush:
            assert sorted(rows) == sorted((labels.state(s), labels.action(a)) for s, a in table)
    text = re.sub(r"<[^>]+>", " ", html)
    for t in db.session.scalars(sa.select(ReferralType)):
        assert t.name in text
    assert "6 个月" in text and "交办方审批" in text and "承办单位负责人审批" in text


def test_deadline_page_explains_the_computation(world, client, login):
    r = make(world)
    sent = dt.datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the eve of 国庆
    r.sent_at = sent
    send = db.session.scalar(sa.select(ReferralEvent).where(ReferralEvent.referral_id == r.id))
    send.at = sent
    r.ack_due = r.current_due = deadlines.due(r.type, deadlines.DueKind.ACK, dt.date(2026, 9, 30))
    commit()
    login(world.contact)
    assert "查看签收期限如何计算" in text_of(client.get(f"/referrals/{r.id}"))
    page = text_of(client.get(f"/referrals/{r.id}/deadline/ack"))
    assert "3 个工作日" in page and "2026-09-30 的次日起计算" in page
    assert "2026-10-01 （国庆节）" in page.replace("（", " （") or "2026-10-01（国庆节）" in page
    assert "计入的调休上班日： 2026-10-10" in page or "计入的调休上班日：2026-10-10" in page
    assert "一致" in page and r.ack_due == dt.date(2026, 10, 10)

    r.ack_due = r.current_due = dt.date(2026, 10, 12)  # as if the calendar had changed since
    commit()
    assert "不同" in text_of(client.get(f"/referrals/{r.id}/deadline/ack"))
    assert client.get(f"/referrals/{r.id}/deadline/nonsense").status_code == 404


def test_internal_notes_stay_on_their_side(world, client, login):
    r = make(world)
    services.post_message(r, actor=world.staff, body="请贵院尽快签收", internal=False)
    services.post_message(r, actor=world.staff, body="人大内部：本件需重点跟踪", internal=True)
    commit()
    login(world.contact)
    assert client.post(f"/referrals/{r.id}/messages", data={"body": "检察院内部：待分管领导阅示", "internal": "y"}
                       ).status_code == 302
    assert client.post(f"/referrals/{r.id}/messages", data={"body": ""}).status_code == 422
    page = text_of(client.get(f"/referrals/{r.id}"))
    assert "请贵院尽快签收" in page and "检察院内部：待分管领导阅示" in page
    assert "人大内部" not in page
    client.post("/logout")
    login(world.staff)
    page = text_of(client.get(f"/referrals/{r.id}"))
    assert "人大内部：本件需重点跟踪" in page and "检察院内部" not in page


def test_npc_log_csv_only_for_case_related_types_and_the_procuratorate(world, client, login):
    letter = make(world, code="deputy_letter", title="代表转交的来信")
    services.post_message(letter, actor=world.staff, body="请依法处理并反馈", internal=False)
    services.post_message(letter, actor=world.staff, body="内部：领导已阅", internal=True)
    services.post_message(letter, actor=world.contact, body="已收到", internal=False)
    services.urge(letter, actor=world.staff, note="请按期办理")
    commit()
    plain = make(world)
    login(world.contact)
    assert "导出人大方往来记录" in text_of(client.get(f"/referrals/{letter.id}"))
    response = client.get(f"/referrals/{letter.id}/npc-log.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data.decode("utf-8-sig")
    assert body.splitlines()[0] == "时间（北京时间）,人员,单位,事项,内容"
    assert "请依法处理并反馈" in body and "请按期办理" in body and "移送" in body and "市人大监察司法委" in body
    assert "内部：领导已阅" not in body and "已收到" not in body
    assert "导出人大方往来记录" not in text_of(client.get(f"/referrals/{plain.id}"))
    assert client.get(f"/referrals/{plain.id}/npc-log.csv").status_code == 403
    client.post("/logout")
    login(world.staff)
    assert client.get(f"/referrals/{letter.id}/npc-log.csv").status_code == 403


# --- referral types (administration) ----------------------------------------------------------------------

def test_admin_edits_referral_types(world, client, login):
    t = rtype("deputy_suggestion")
    login(world.staff)
    assert client.get("/admin/referral-types/").status_code == 403
    client.post("/logout")
    login(world.admin)
    assert "代表建议" in text_of(client.get("/admin/referral-types/"))
    form = client.get(f"/admin/referral-types/{t.id}").get_data(as_text=True)
    assert 'name="ack_amount"' in form
    data = {"name": t.name, "legal_basis": t.legal_basis, "description": "", "ack_amount": "5",
            "ack_unit": "working_days", "return_window_days": "5", "procedural_amount": "",
            "procedural_unit": "working_days", "result_amount": "3", "result_unit": "months", "cap_months": "6",
            "extension_approver": "sender", "max_extensions": "1", "evaluated": "y", "evaluation_window_days": "15",
            "dissatisfied_reopens": "y", "max_rehandling_rounds": "2", "rehandling_amount": "2",
            "rehandling_unit": "months", "roll_weekends": "y", "default_classification": "internal", "active": "y",
            "version": str(t.version)}
    assert client.post(f"/admin/referral-types/{t.id}", data={**data, "ack_amount": "0", "cap_months": "2"}
                       ).status_code == 422
    response = client.post(f"/admin/referral-types/{t.id}", data={**data, "cap_months": "2"})
    assert response.status_code == 422 and "最长办理期限不能短于办理期限" in text_of(response)
    assert client.post(f"/admin/referral-types/{t.id}", data=data).status_code == 302
    db.session.refresh(t)
    assert (t.ack_amount, t.rehandling_amount, t.version) == (5, 2, 2)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "referral_type.update"))
    assert '"ack_amount":[3,5]' in entry.summary
    response = client.post(f"/admin/referral-types/{t.id}", data={**data, "version": "1"})
    assert response.status_code == 409 and "已被他人修改" in text_of(response)


def test_update_type_service_checks_ranges_and_actor(world):
    t = rtype("inspection_finding")
    with pytest.raises(services.NotAllowed):
        services.update_type(t, actor=world.staff, expected_version=t.version, ack_amount=4)
    with pytest.raises(services.ValidationFailed) as exc:
        services.update_type(t, actor=world.admin, expected_version=t.version, result_amount=30,
                             evaluation_window_days=0)
    assert set(exc.value.errors) == {"result_amount", "evaluation_window_days"}
    with pytest.raises(TypeError):
        services.update_type(t, actor=world.admin, expected_version=t.version, code="other")
    services.update_type(t, actor=world.admin, expected_version=t.version, result_amount=40,
                         result_unit="working_days")
    commit()
    assert (t.result_amount, t.result_unit.value) == (40, "working_days")


# --- the SQL twins of the permission predicates ---------------------------------------------------------

def test_visibility_and_inbox_queries_agree_with_the_predicates(world, people):
    """`visible_to` is `can_view`, and the inbox holds exactly the items where `allowed_actions` has a
    duty (or a pending extension the user decides) — for every user, over items in every state."""
    from oversight.referrals import permissions

    p, items = people, []

    def step(r, *calls):
        for call in calls:
            call(r)
        commit()
        items.append(r)

    def ack(r):
        services.acknowledge(r, actor=world.contact)

    def accept(r):
        services.accept(r, actor=world.contact, procedural_reply="已受理")

    def assign(r):
        services.assign(r, actor=world.contact, department=world.dept, handler=p.handler)

    def ask(r):
        services.request_extension(r, actor=world.contact, until=r.result_due + dt.timedelta(days=20), reason="情况复杂")

    def reply(r):
        services.reply(r, actor=p.handler, outcome=Outcome.RESOLVED, text="已办理")

    step(make(world, send=False))
    step(make(world))
    step(make(world), ack)
    step(make(world), ack, accept, ask)
    step(make(world, code="deputy_letter"), ack, accept, assign, ask)
    step(make(world, code="deputy_suggestion", deputy=p.deputy), ack, accept, assign, reply)
    step(make(world), lambda r: services.return_referral(r, actor=world.contact, reason="管辖不符",
                                                         suggested_receiver=world.d_proc))
    step(make(world), ack, accept, assign, reply,
         lambda r: services.evaluate(r, actor=world.staff, evaluation=Evaluation.SATISFIED))
    step(make(world), lambda r: services.withdraw(r, actor=world.staff, reason="重复"))
    step(make(world, actor=p.d_staff, receiver=world.d_proc))
    step(make(world, actor=p.deputy, code="deputy_suggestion", send=False))
    step(make(world, actor=world.contact, receiver=world.npc, code="work_report", send=False))
    step(make(world, actor=world.contact, receiver=world.npc, code="work_report"))
    step(make(world, actor=world.contact, receiver=world.npc, code="special_work_report"),
         lambda r: report_services.receive(r, actor=world.staff))
    step(make(world, actor=p.d_contact, receiver=world.d_npc, code="work_report"))

    everyone = [world.staff, world.contact, world.admin, world.auditor, p.handler, p.reviewer, p.deputy, p.d_staff,
                p.d_contact]
    for user in everyone:
        visible = {r.id for r in items if permissions.can_view(user, r)}
        assert set(db.session.scalars(sa.select(Referral.id).where(queries.visible_to(user)))) == visible, user
        waiting = set()
        for r in items:
            allowed = set(permissions.allowed_actions(user, r)) if r.id in visible else set()
            if allowed & queries.DUTIES or (Action.DECIDE_EXTENSION in allowed and r.extension_requested_until):
                waiting.add(r.id)
        assert {r.id for r in queries.inbox(user, limit=100).rows} == waiting, user
    assert len({r.state for r in items}) >= 9


def test_lists_cost_the_same_number_of_queries_for_few_or_many_rows(world, client, login):
    """No per-row queries: types and organisations come with the rows, statuses from the thresholds."""
    from sqlalchemy import event

    login(world.contact)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def cost(url):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    make(world, title="一")
    few = {url: cost(url) for url in ("/referrals/", "/referrals/search", "/referrals/search?sort=updated")}
    for i in range(8):
        make(world, code="deputy_letter" if i % 2 else "inspection_finding", title=f"事项{i}",
             receiver=world.proc)
    many = {url: cost(url) for url in few}
    assert many == few


def test_pages_speak_english_after_switching(world, people, client, login, english_catalog):
    """Everything but the data is translated: titles, names of types and organisations stay Chinese."""
    r = make(world, code="special_work_report", actor=world.contact, receiver=world.npc, title="专项报告",
             session_date=today() + dt.timedelta(days=30))
    services.post_message(r, actor=world.staff, body="留言", internal=False)
    s = make(world, code="deputy_letter", title="来信")
    services.acknowledge(s, actor=world.contact)
    commit()
    data = {"中文", "留言", "情况说明"}
    for t in db.session.scalars(sa.select(ReferralType)):
        data.update(CJK.findall(t.name + " " + t.legal_basis))
    for org in (world.npc, world.body, world.proc, world.dept, world.d_npc, world.d_proc, world.station):
        data.update(CJK.findall(org.name))
    data.update(CJK.findall("专项报告 来信"))
    login(world.contact)
    client.post("/language/en", data={"next": "/"})
    for url in ("/referrals/", "/referrals/sent", "/referrals/search?state=sent", "/referrals/help",
                f"/referrals/{r.id}", f"/referrals/{s.id}", f"/referrals/{s.id}/deadline/ack",
                f"/referrals/{s.id}/deadline/result", "/referrals/new?direction=procuratorate_to_npc"):
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in html
        left = sorted({run for run in CJK.findall(html) if run not in data})
        assert left == [], (url, left)


def test_action_forms_carry_working_csrf_tokens(app, world, client, login):
    """With CSRF on, each prefixed action form posts its own token and is accepted; none is refused."""
    r = make(world)
    login(world.contact)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get(f"/referrals/{r.id}").get_data(as_text=True)
        token = re.search(r'name="acknowledge-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        assert client.post(f"/referrals/{r.id}/acknowledge", data={"acknowledge-version": r.version}
                           ).status_code == 400  # no token: refused
        response = client.post(f"/referrals/{r.id}/acknowledge",
                               data={"acknowledge-version": r.version, "acknowledge-csrf_token": token})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(r)
    assert r.state is State.ACKNOWLEDGED
