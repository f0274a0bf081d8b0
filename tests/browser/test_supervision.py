"""Supervision models in Chromium: the administrator runs a model from the models page; NPC staff open
one of its alerts, confirm it and turn it into an oversight topic; the topic page lists the alert's
evidence (the overdue referrals) and links back to the alert, which now shows as converted."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

from .test_login import log_in, log_out

pytestmark = pytest.mark.browser
TITLE = "浏览器测试：逾期事项集中问题专项监督"


def test_alert_confirmed_and_turned_into_a_topic_with_its_evidence(page: Page, live_server, artifacts):
    # 1. The administrator runs the overdue-cluster model for today (the demo ran it for yesterday).
    log_in(page, live_server, "admin", data.DEMO_PASSWORD)
    page.get_by_role("link", name="监督模型").first.click()
    row = page.locator("tr[data-model=overdue_cluster]")
    expect(row).to_contain_text("已启用")
    row.locator("input[name=period]").fill("2026-13-01")
    row.get_by_role("button", name="立即运行").click()
    expect(page.locator(".flashes")).to_contain_text("期间“2026-13-01”无效")
    row = page.locator("tr[data-model=overdue_cluster]")
    row.locator("input[name=period]").fill(dt.date.today().isoformat())
    row.get_by_role("button", name="立即运行").click()
    expect(page.locator(".flashes")).to_contain_text("已运行")
    expect(page.locator(".flashes")).to_contain_text("新预警 0 条")   # the same findings: no duplicate alerts
    log_out(page, live_server)

    # 2. NPC staff open the model's newest alert, confirm it, turn it into a topic.
    log_in(page, live_server, "npc.liaison", data.DEMO_PASSWORD)
    page.get_by_role("link", name="模型预警").first.click()
    page.get_by_label("模型").select_option(label="逾期集中预警")
    page.get_by_label("状态").select_option(label="待研判")
    page.get_by_role("button", name="筛选").click()
    page.locator("#alerts tbody tr th a").first.click()
    evidence = page.locator("ul.evidence li a")
    expect(evidence.first).to_be_visible()
    labels = [t.strip() for t in evidence.all_inner_texts()]
    alert_url = page.url
    page.get_by_role("button", name="确认预警").click()
    expect(page.locator(".flashes")).to_contain_text("预警已确认")
    expect(page.locator("#alert-state")).to_have_text("已确认")
    page.get_by_label("议题名称").fill(TITLE)
    page.get_by_label("牵头机构").select_option(label="江州市人大监察和司法委员会")
    page.get_by_role("button", name="转为监督议题").click()

    # 3. The topic shows the alert as its source, with the alert's evidence.
    expect(page.locator(".flashes")).to_contain_text("已根据预警建立监督议题")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    sources = page.locator("#sources-heading + ul")
    expect(sources).to_contain_text("模型预警")
    for label in labels[:3]:
        expect(sources.locator("ul.evidence")).to_contain_text(label)
    page.screenshot(path=str(artifacts / "supervision-topic.png"), full_page=True)
    page.goto(alert_url)
    expect(page.locator("#alert-state")).to_have_text("已转为议题")
    expect(page.get_by_role("link", name="查看议题")).to_be_visible()
