"""The liaison acceptance path in Chromium: a meeting with three agenda items is scheduled, two
invitees accept, the minutes are drafted and approved, and a decision's action item spawns a referral.
Also: the calendar and the directory show the demo data, and bad input is answered in Chinese."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

from .test_login import log_in, log_out

pytestmark = pytest.mark.browser
PASSWORD = data.DEMO_PASSWORD


def as_user(page: Page, base_url: str, username: str) -> None:
    log_in(page, base_url, username, PASSWORD)
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def let_the_amendment_window_pass(app, meeting_title: str) -> None:
    """The attendees' amendment window lasts working days; a browser test cannot wait for it."""
    import sqlalchemy as sa

    from liaison.meetings.models import Meeting
    from liaison.minutes.models import Minutes
    from oversight.db import db

    with app.app_context():
        meeting_id = db.session.scalar(sa.select(Meeting.id).where(Meeting.title == meeting_title))
        db.session.execute(sa.update(Minutes).where(Minutes.meeting_id == meeting_id)
                           .values(review_until=dt.date.today() - dt.timedelta(days=1)))
        db.session.commit()


def test_meeting_minutes_action_item_and_referral(page: Page, live_app, live_server, artifacts):
    base = live_server
    yesterday = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(days=1)).date().isoformat()
    as_user(page, base, "npc.liaison")
    page.get_by_role("link", name="联络会议", exact=True).first.click()
    expect(page.get_by_role("heading", name="联络会议和交流活动")).to_be_visible()
    page.get_by_role("link", name="安排会议").click()
    page.get_by_label("会议类型").select_option(label="联席会议")
    page.get_by_label("会议名称").fill("浏览器测试联席会议")
    page.get_by_label("对方单位").select_option(label="江州市人民检察院")
    page.get_by_label("开始时间（北京时间）").fill(f"{yesterday}T15:00")
    page.get_by_label("结束时间（北京时间）").fill(f"{yesterday}T14:00")
    page.get_by_label("议程（每行一项）").fill("通报移送事项办理情况\n研究公益诉讼线索移送\n商定联合调研安排")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".error-summary")).to_contain_text("会议结束时间必须晚于开始时间。")
    page.get_by_label("结束时间（北京时间）").fill(f"{yesterday}T17:00")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flashes")).to_contain_text("已安排")
    meeting_url = page.url
    agenda = page.locator("ol.agenda > li")
    expect(agenda.filter(has_text="商定联合调研安排")).to_have_count(1)
    # The demo's earlier joint meeting left an open action item: it is on the agenda as a follow-up.
    expect(agenda.filter(has_text="跟进：市人民检察院于两周内报送公益诉讼线索移送台账")).to_have_count(1)
    page.get_by_label("邀请人员").select_option(label="李堃（江州市人民检察院办公室）")
    page.get_by_role("button", name="发送邀请").click()
    page.get_by_label("邀请人员").select_option(label="周明远（江州市人大监察和司法委员会）")
    page.get_by_role("button", name="发送邀请").click()
    expect(page.locator(".flashes")).to_contain_text("邀请已发送")
    log_out(page, base)

    for username in ("proc.contact", "npc.reviewer"):
        as_user(page, base, username)
        page.goto(meeting_url)
        page.get_by_label("接受").check()
        page.get_by_role("button", name="提交回复").click()
        expect(page.locator(".flashes")).to_contain_text("已回复会议邀请")
        log_out(page, base)

    as_user(page, base, "npc.liaison")
    page.goto(meeting_url)
    expect(page.locator("table").filter(has_text="李堃")).to_contain_text("接受")
    page.get_by_role("button", name="确认召开并起草纪要").click()
    expect(page.locator(".flashes")).to_contain_text("请起草会议纪要")
    page.get_by_role("link", name="会议纪要").first.click()
    page.get_by_label("会议概况").fill("会议由陈嘉怡主持，双方通报了情况。")
    page.get_by_label(re.compile(r"议程 \d+：研究公益诉讼线索移送")).fill("检察院介绍了线索移送情况。")
    page.get_by_role("button", name="保存纪要").click()
    expect(page.locator(".flashes")).to_contain_text("会议纪要已保存")
    page.get_by_role("textbox", name="议定事项").fill("市人民检察院报送公益诉讼线索移送台账")
    page.get_by_label("所属议程").select_option(label="研究公益诉讼线索移送")
    page.get_by_label("责任单位").select_option(label="江州市人民检察院")
    page.get_by_label("完成期限").fill((dt.date.today() + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="增加议定事项").click()
    expect(page.locator(".flashes")).to_contain_text("议定事项已增加")
    page.get_by_role("button", name="送参会人员征求意见").click()
    expect(page.locator(".flashes")).to_contain_text("征求意见")
    let_the_amendment_window_pass(live_app, "浏览器测试联席会议")
    page.reload()
    page.get_by_role("button", name="审定纪要").click()
    expect(page.locator(".flashes")).to_contain_text("已审定并锁定")
    expect(page.get_by_role("button", name="保存纪要")).to_have_count(0)
    page.screenshot(path=str(artifacts / "liaison-minutes-approved.png"), full_page=True)
    page.get_by_role("link", name="待办事项：办理中").click()
    page.get_by_label("事项类型").select_option(label="执法司法问题（执法检查、调研发现）")
    page.get_by_role("button", name="生成移送事项草稿").click()
    expect(page.locator(".flashes")).to_contain_text("已根据待办事项生成移送事项草稿")
    expect(page.get_by_role("heading", name="市人民检察院报送公益诉讼线索移送台账")).to_be_visible()
    expect(page.locator("body")).to_contain_text("浏览器测试联席会议")
    page.screenshot(path=str(artifacts / "liaison-spawned-referral.png"), full_page=True)


def test_invitee_outside_both_sides_is_refused(page: Page, live_server):
    as_user(page, live_server, "jb.liaison")
    page.goto(live_server + "/liaison/meetings/new")
    page.get_by_label("会议名称").fill("江北区联络会议")
    page.get_by_label("对方单位").select_option(label="江北区人民检察院")
    page.get_by_label("开始时间（北京时间）").fill("2026-12-20T09:00")
    page.get_by_label("结束时间（北京时间）").fill("2026-12-20T10:00")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flashes")).to_contain_text("已安排")
    # The list offers only people of both sides; a forged POST naming someone else is refused.
    options = page.get_by_label("邀请人员").locator("option").all_inner_texts()
    assert options and not any("南岸区" in o for o in options)


def test_calendar_and_directory_show_demo_data(page: Page, live_server, artifacts):
    as_user(page, live_server, "proc.contact")
    page.goto(live_server + "/liaison/meetings/?view=month")
    expect(page.locator("table.month-calendar")).to_be_visible()
    page.goto(live_server + "/liaison/registry/")
    expect(page.locator("body")).to_contain_text("陈嘉怡")
    expect(page.locator("body")).to_contain_text("023-6388 0202")
    page.screenshot(path=str(artifacts / "liaison-directory.png"), full_page=True)
