"""Each dashboard opened in Chromium by the role it is for, with a screenshot kept in test-artifacts/."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from oversight.demo.data import DEMO_PASSWORD
from tests.browser.test_login import log_in

pytestmark = pytest.mark.browser

DASHBOARDS = [
    pytest.param("npc.liaison", "/reports/leadership", "人大领导看板", id="leadership"),
    pytest.param("npc.reviewer", "/reports/", "人大领导看板", id="leadership-reviewer"),
    pytest.param("proc.contact", "/reports/", "检察院看板", id="procuratorate"),
    # A deputy's own suggestions are few: the year shows them.
    pytest.param("deputy.wang", "/reports/deputy?kind=year&period=" + str(dt.date.today().year), "代表看板",
                 id="deputy"),
]


@pytest.mark.parametrize(("username", "path", "heading"), DASHBOARDS)
def test_each_dashboard_opens_for_its_role(page: Page, live_server, artifacts, username, path, heading, request):
    log_in(page, live_server, username, DEMO_PASSWORD)
    expect(page).to_have_url(live_server + "/")
    page.get_by_role("link", name="统计看板").click()
    if path != "/reports/":
        page.goto(live_server + path)
    if username == "deputy.wang":
        expect(page.get_by_role("heading", level=2, name="全市总体情况")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    # The chart is drawn (not a black box under the page's CSP): its bars carry their own fill.
    assert page.locator("svg.chart path[fill='#2f5d8a']").count() > 0
    expect(page.locator("#updated-at")).to_contain_text("数据更新于")
    page.screenshot(path=str(artifacts / f"dashboard-{request.node.callspec.id}.png"), full_page=True)


def test_leadership_year_shows_steps_rectification_and_meetings_and_updates_on_demand(page: Page, live_server):
    log_in(page, live_server, "npc.liaison", DEMO_PASSWORD)
    page.goto(live_server + f"/reports/leadership?kind=year&period={dt.date.today().year}")
    for heading in ("整改落实", "联络会议与待办事项"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    # The demo's steps take days: 各环节用时 is not 0.0 for every step (it was, when the demo's history
    # put a referral's steps on one day).
    steps = page.locator("table.stats", has=page.locator("caption", has_text="各环节用时（工作日）"))
    means = [steps.locator("tbody tr").nth(i).locator("td").nth(1).inner_text() for i in range(4)]
    assert any(m not in ("0.0", "样本不足") for m in means), means
    page.get_by_role("button", name="立即更新").click()
    expect(page.locator(".flashes")).to_contain_text("统计数据已更新")
    expect(page.locator("#updated-at")).to_contain_text("数据更新于")


def test_organisation_dashboard_and_drill_down(page: Page, live_server, artifacts):
    log_in(page, live_server, "npc.liaison", DEMO_PASSWORD)
    page.goto(live_server + "/reports/leadership")
    page.locator("nav.org-links a").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("单位看板")
    page.screenshot(path=str(artifacts / "dashboard-organisation.png"), full_page=True)
    page.locator("table.stats").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/referrals/search\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("移送事项查询")


def test_a_future_period_is_refused_in_chinese(page: Page, live_server):
    log_in(page, live_server, "npc.liaison", DEMO_PASSWORD)
    page.goto(live_server + "/reports/leadership")
    page.get_by_label("周期类型").select_option("year")
    page.get_by_label("周期", exact=True).fill("2099")
    page.get_by_role("button", name="查看").click()
    expect(page.locator(".flashes")).to_contain_text("尚未开始")
