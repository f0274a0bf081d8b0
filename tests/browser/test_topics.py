"""The acceptance path of the three lists in Chromium: NPC staff open a topic from two referrals and
draft the three lists; the reviewer issues them; the PDF's text holds every problem and unit; the
responsible procuratorate reports progress twice, asks for sign-off, is returned once, then signed
off; the topic shows 100 %. Bad input on the way is answered in Chinese."""
from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

from .test_login import log_in, log_out

pytestmark = pytest.mark.browser
TITLE = "浏览器测试：检察建议落实情况监督"
PROBLEMS = ["检察建议回复率偏低，部分建议未落实", "检察建议跟踪督促机制不健全"]


def as_user(page: Page, base: str, username: str) -> None:
    log_in(page, base, username, data.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")


def act(page: Page, summary: str, button: str, **fields) -> None:
    """Open a step's panel (if it has one), fill its fields by id, confirm."""
    panel = page.locator("details.action-panel", has=page.locator("summary", has_text=summary))
    if panel.count():
        if panel.first.get_attribute("open") is None:
            panel.first.locator("summary").click()
        for field_id, value in fields.items():
            page.fill(f"#{field_id}", value)
        panel.first.get_by_role("button", name=button).click()
    else:
        page.get_by_role("button", name=summary, exact=True).click()


def test_three_lists_from_drafting_to_sign_off(page: Page, live_server, tmp_path, artifacts):
    due = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    # 1. NPC staff open a topic from two referrals.
    as_user(page, live_server, "npc.liaison")
    page.get_by_role("link", name="监督议题").first.click()
    page.get_by_role("link", name="新建监督议题").click()
    page.get_by_label("议题名称").fill(TITLE)
    page.get_by_label("牵头机构").select_option(label="江州市人大监察和司法委员会")
    boxes = page.locator("input[name=referrals]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="建立议题").click()
    expect(page.locator(".flashes")).to_contain_text("已建立")
    topic_url = page.url
    expect(page.locator("#sources-heading + ul li")).to_have_count(2)

    # 2. The three lists; bad input first: a responsibility without a unit, an item due in the past.
    for problem in PROBLEMS:
        act(page, "添加问题（问题清单）", "添加问题", **{"problem-description": problem})
        expect(page.locator(".flashes")).to_contain_text("问题已加入问题清单")
    act(page, "添加责任（责任清单）", "添加责任")
    expect(page.locator("#resp-problem-error")).to_contain_text("请选择问题")
    page.select_option("#resp-problem", index=1)
    page.get_by_role("button", name="添加责任").click()
    expect(page.locator("#resp-lead_unit-error")).to_contain_text("请选择责任单位")
    for n in (1, 2):
        act(page, "添加责任（责任清单）", "添加责任")  # re-opened below with values
        page.goto(topic_url)
        page.locator("summary", has_text="添加责任（责任清单）").click()
        page.select_option("#resp-problem", index=n)
        page.select_option("#resp-lead_unit", label="江州市人民检察院")
        if n == 2:
            page.get_by_label("江州市司法局").check()
        page.get_by_role("button", name="添加责任").click()
        expect(page.locator(".flashes")).to_contain_text("责任已加入责任清单")
    page.locator("summary", has_text="添加整改事项（整改清单）").click()
    page.select_option("#item-responsibility", index=1)
    page.fill("#item-measures", "逐件跟踪检察建议落实")
    page.fill("#item-due_date", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="添加整改事项").click()
    expect(page.locator("#item-due_date-error")).to_contain_text("不能早于或等于清单印发日期")
    for n, measures in ((1, "逐件跟踪检察建议落实"), (2, "建立检察建议跟踪督促制度")):
        page.goto(topic_url)
        page.locator("summary", has_text="添加整改事项（整改清单）").click()
        page.select_option("#item-responsibility", index=n)
        page.fill("#item-measures", measures)
        page.fill("#item-due_date", due)
        page.get_by_role("button", name="添加整改事项").click()
        expect(page.locator(".flashes")).to_contain_text("整改事项已加入整改清单")
    expect(page.locator("table.three-lists")).to_contain_text("江州市司法局")
    page.get_by_role("button", name="提请审核", exact=True).click()
    expect(page.locator(".page-head")).to_contain_text("待审核")
    log_out(page, live_server)

    # 3. The reviewer issues; the PDF holds every problem and unit.
    as_user(page, live_server, "npc.reviewer")
    page.goto(topic_url)
    page.get_by_role("button", name="审核印发", exact=True).click()
    expect(page.locator(".page-head")).to_contain_text("清单已印发")
    pdf_link = page.get_by_role("link", name="PDF").first.get_attribute("href")
    response = page.request.get(live_server + pdf_link)
    assert response.ok and response.body().startswith(b"%PDF")
    (tmp_path / "lists.pdf").write_bytes(response.body())
    text = "".join(subprocess.run(["pdftotext", str(tmp_path / "lists.pdf"), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    for expected in PROBLEMS + ["江州市人民检察院", "江州市司法局", "逐件跟踪检察建议落实", "建立检察建议跟踪督促制度"]:
        assert expected in text, expected
    log_out(page, live_server)

    # 4. The procuratorate reports twice, asks for sign-off; bad percentages refused in Chinese.
    as_user(page, live_server, "proc.contact")
    page.goto(topic_url)
    item_links = [page.locator("table.three-lists a", has_text=m).get_attribute("href")
                  for m in ("逐件跟踪检察建议落实", "建立检察建议跟踪督促制度")]
    page.goto(live_server + item_links[0])
    act(page, "报告进展", "确认报告进展", **{"report_progress-percent": "120", "report_progress-text": "超额"})
    expect(page.locator("#report_progress-percent-error")).to_contain_text("0 到 100 之间")
    act(page, "报告进展", "确认报告进展", **{"report_progress-percent": "40", "report_progress-text": "已跟踪一半"})
    expect(page.locator(".flashes")).to_contain_text("报告进展")
    act(page, "报告进展", "确认报告进展", **{"report_progress-percent": "30", "report_progress-text": "回退"})
    expect(page.locator("#report_progress-lower_reason-error")).to_contain_text("请说明原因")
    act(page, "报告进展", "确认报告进展", **{"report_progress-percent": "100", "report_progress-text": "全部落实",
                                         "report_progress-lower_reason": ""})
    expect(page.locator(".facts")).to_contain_text("单位报告 100%")
    act(page, "申请销号", "确认申请销号")
    expect(page.locator(".page-head")).to_contain_text("待销号")
    # The unit cannot sign off its own item: no button, and a forged POST is refused in Chinese.
    expect(page.get_by_role("button", name="销号", exact=True)).to_have_count(0)
    page.goto(live_server + item_links[1])
    act(page, "报告进展", "确认报告进展", **{"report_progress-percent": "100", "report_progress-text": "制度已印发"})
    act(page, "申请销号", "确认申请销号")
    log_out(page, live_server)

    # 5. NPC staff return the first once, sign off the second.
    as_user(page, live_server, "npc.liaison")
    page.goto(live_server + item_links[0])
    act(page, "退回整改", "确认退回整改", **{"return-reason": "请补充落实材料"})
    expect(page.locator(".page-head")).to_contain_text("整改中")
    page.goto(live_server + item_links[1])
    act(page, "销号", "确认销号")
    expect(page.locator(".page-head")).to_contain_text("已销号")
    log_out(page, live_server)

    as_user(page, live_server, "proc.contact")
    page.goto(live_server + item_links[0])
    expect(page.locator(".flash-warning")).to_contain_text("请补充落实材料")
    act(page, "申请销号", "确认申请销号")
    log_out(page, live_server)

    as_user(page, live_server, "npc.liaison")
    page.goto(live_server + item_links[0])
    act(page, "销号", "确认销号")
    expect(page.locator(".page-head")).to_contain_text("已销号")
    page.goto(topic_url)
    expect(page.locator(".completion")).to_contain_text("完成率 100%")
    page.screenshot(path=str(artifacts / "topic-signed-off.png"), full_page=True)
    assert re.search(r"/topics/\d+$", topic_url)
