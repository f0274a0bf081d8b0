"""Public evaluation in Chromium: NPC staff create a campaign over a published item, print invitations
and open it; a member of the public follows an invitation link and rates; a second use of the token is
refused; staff close the campaign and publish the results; the public results page shows them."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from oversight.demo import data
from reports.evaluation.demo import DEMO_TOKENS

from .test_login import log_in, log_out
from .test_public_portal import PHONE, _axe_source

pytestmark = pytest.mark.browser
TITLE = "浏览器测试：第四季度群众评议"


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def test_campaign_from_invitation_to_published_results(page: Page, live_server, artifacts):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of closing and publishing
    now = dt.datetime.now(dt.timezone.utc)
    # 1. NPC staff create a campaign over a published item and print two invitations.
    log_in(page, live_server, "npc.liaison", data.DEMO_PASSWORD)
    page.get_by_role("link", name="群众评议").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("群众评议")
    expect(page.locator("[data-demo-token]")).to_have_count(0)  # the list page shows no codes
    page.get_by_role("link", name="组织新的评议").click()
    page.get_by_label("评议名称").fill(TITLE)
    page.get_by_label("开始时间（北京时间）").fill(_local(now - dt.timedelta(minutes=5)))
    page.get_by_label("结束时间（北京时间）").fill(_local(now + dt.timedelta(days=10)))
    item = page.locator("input[name=items]").first
    item.check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flashes")).to_contain_text("已创建")
    campaign_url = page.url
    campaign_id = int(campaign_url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_label("生成数量").fill("2")
    page.get_by_role("button", name="生成邀请码").click()
    expect(page.locator(".invitation-card")).to_have_count(2)
    page.screenshot(path=str(artifacts / "evaluation-print.png"), full_page=True)
    links = [page.locator(".invitation-card .link").nth(n).inner_text() for n in range(2)]
    assert all(re.search(r"/public/evaluation/[0-9A-Z]{16}$", link) for link in links)
    page.goto(campaign_url)
    expect(page.locator("#invitations tbody tr")).to_have_count(2)
    page.get_by_role("button", name="开始评议").click()
    expect(page.locator(".flashes")).to_contain_text("评议已开始")
    log_out(page, live_server)

    # 2. The public follows the first link, rates and submits.
    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.get_by_role("button", name="提交评议").click()  # nothing chosen: refused with a message
    expect(page.locator(".error-summary")).to_contain_text("请为")
    for n in range(page.locator(".eval-item").count()):
        page.locator(".eval-item").nth(n).get_by_label("基本满意").check()
    page.locator(".eval-item textarea").first.fill("希望定期公布整改进展。")
    page.get_by_role("button", name="提交评议").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交成功")
    # 3. A second use of the same token is refused.
    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("评议码已使用")
    expect(page.locator(".notice")).to_contain_text("只能使用一次")
    # … and the results are not public yet.
    response = page.goto(f"{live_server}/public/evaluation/results/{campaign_id}")
    assert response.status == 404

    # 4. Staff see the running figures, close the campaign and publish the results.
    log_in(page, live_server, "npc.liaison", data.DEMO_PASSWORD)
    page.goto(campaign_url)
    expect(page.locator("#results-heading")).to_be_visible()
    page.get_by_role("button", name="结束评议").click()
    expect(page.locator(".flashes")).to_contain_text("评议已结束")
    page.get_by_role("button", name="公布结果").click()
    expect(page.locator(".flashes")).to_contain_text("评议结果已在公开栏目公布")
    log_out(page, live_server)

    # 5. The public results page: 1 of 2 invitations took part, every item 基本满意 → 100 % satisfied, 0 % 满意.
    page.goto(f"{live_server}/public/evaluation/results/{campaign_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text("参与率 50.0%")
    row = page.locator("tbody tr").first
    expect(row.locator("td.rate")).to_have_text("100.0%")
    expect(page.locator("main")).not_to_contain_text("希望定期公布整改进展")
    page.screenshot(path=str(artifacts / "evaluation-results.png"), full_page=True)
    page.goto(f"{live_server}/public/evaluation/results/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()


def test_public_evaluation_pages_pass_axe(browser: Browser, live_server):
    """axe-core (WCAG 2.1 A/AA and best practice, as for the portal) on a phone screen: the entry page, a demo
    invitation's rating page, the same with its error messages shown, and the published results."""
    source = _axe_source()
    context = browser.new_context(bypass_csp=True, **PHONE)  # axe injected from outside; the CSP stays as served
    page = context.new_page()
    problems, checked = {}, 0
    for url, submit in [("/public/evaluation/", False), (f"/public/evaluation/{DEMO_TOKENS[1]}", False),
                        (f"/public/evaluation/{DEMO_TOKENS[1]}", True), ("/public/evaluation/results/", False),
                        ("results", False)]:
        if url == "results":  # the first published campaign's results
            url = page.locator(".pub-list a").first.get_attribute("href")
        page.goto(live_server + url)
        if submit:  # the rating form with its error summary and per-item messages
            page.get_by_role("button", name="提交评议").click()
            expect(page.locator(".error-summary")).to_be_visible()
        page.add_script_tag(content=source)
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
        assert len(result["passes"]) > 10  # the rules really ran
        bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 376:
            bad.append(f"page is {width}px wide on a 375px screen")
        if bad:
            problems[f"{url} (after submit)" if submit else url] = bad
        checked += 1
    context.close()
    assert checked == 5 and not problems, problems
