"""The public portal in Chromium: an axe-core accessibility check of every kind of public page on a phone-sized
screen (no serious or critical violation), and the disclosure round trip — staff draft a typical case with a
phone number in it, the reviewer sees the hit highlighted, masks it and publishes; the public page and the feed
show it masked; it is withdrawn and the page says so."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from oversight.demo import data

from .test_login import log_in, log_out

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 740}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def _axe_source() -> str:
    folder = Path(os.environ.get("OVERSIGHT_AXE_DIR") or Path.home() / ".cache" / "oversight" / "axe")
    path = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        message = (f"axe-core not found at {path}: run scripts/test (it installs it with npm), or "
                   f"npm install --prefix {folder} axe-core@4")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


def _public_urls(page: Page, base: str) -> list[str]:
    """Home, each section, one page of each kind (withdrawn included), search with results, the 404 page."""
    page.goto(base + "/public/")
    urls = ["/public/", "/public/topics", "/public/rectification", "/public/cases", "/public/reports",
            "/public/search", "/public/search?q=%E6%A3%80%E5%AF%9F"]
    for section in ("/public/topics", "/public/rectification", "/public/cases", "/public/reports"):
        page.goto(base + section)
        first = page.locator(".pub-list a").first
        urls.append(first.get_attribute("href"))
    page.goto(base + "/public/feed.atom")
    ids = re.findall(r"/public/p/(\d+)", page.content())
    urls += [f"/public/p/{i}" for i in ids]
    return list(dict.fromkeys(urls))


def test_public_pages_pass_axe(browser: Browser, live_server, artifacts):
    source = _axe_source()
    # axe is injected from outside the page: the pages' CSP (script-src 'self') stays as it is served.
    context = browser.new_context(bypass_csp=True, **PHONE)
    page = context.new_page()
    urls = _public_urls(page, live_server)
    assert len(urls) >= 12
    problems = {}
    for url in urls:
        page.goto(live_server + url)
        page.add_script_tag(content=source)
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
        bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        # Phone first: nothing wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 376:
            bad.append(f"page is {width}px wide on a 375px screen")
        if bad:
            problems[url] = bad
    page.goto(live_server + "/public/")
    page.screenshot(path=str(artifacts / "public-home-phone.png"), full_page=True)
    context.close()
    assert not problems, problems


def test_disclosure_round_trip(page: Page, live_server, artifacts):
    title = "浏览器测试：督促整治占道经营"
    # 1. Staff draft a typical case with a phone number in it, and submit it.
    log_in(page, live_server, "npc.liaison", data.DEMO_PASSWORD)
    page.goto(live_server + "/publications/new")
    page.get_by_label("类别").select_option("typical_case")
    page.get_by_label("标题").fill(title)
    page.get_by_label("摘要").fill("群众反映后检察机关依法履职。")
    page.get_by_label("正文").fill("群众来电（13812345678）反映某路段长期占道经营，检察院制发检察建议。")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flashes")).to_contain_text("草稿已保存")
    draft_url = page.url
    pub_id = draft_url.rstrip("/").rsplit("/", 1)[1]
    expect(page.locator("mark.hit").first).to_have_text("13812345678")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".flashes")).to_contain_text("已提交审核")
    # A draft, and a page in review, are not public.
    assert page.request.get(f"{live_server}/public/p/{pub_id}").status == 404
    log_out(page, live_server)

    # 2. The reviewer sees the hit highlighted; publishing is refused until it is masked.
    log_in(page, live_server, "npc.reviewer", data.DEMO_PASSWORD)
    page.goto(draft_url)
    expect(page.locator("section.redaction mark.hit")).to_have_text("13812345678")
    expect(page.locator("section.redaction")).to_contain_text("还有 1 处未处理")
    page.get_by_role("button", name="审核发布").click()
    expect(page.locator(".flashes")).to_contain_text("未处理")
    page.locator("section.redaction").get_by_role("button", name="遮蔽", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("已遮蔽")
    expect(page.locator("article.preview")).to_contain_text("1381****678")
    page.get_by_role("button", name="审核发布").click()
    expect(page.locator(".flashes")).to_contain_text("已发布")

    # 3. The public page and the feed show it masked.
    public = page.context.new_page()
    public.goto(f"{live_server}/public/p/{pub_id}")
    expect(public.get_by_role("heading", level=1)).to_have_text(title)
    expect(public.locator("article")).to_contain_text("1381****678")
    assert "13812345678" not in public.content()
    feed = public.request.get(f"{live_server}/public/feed.atom").text()
    assert title in feed and "1381****678" in feed and "13812345678" not in feed
    public.screenshot(path=str(artifacts / "public-case.png"), full_page=True)

    # 4. Withdrawn: the page stays and says so, without the text.
    page.locator("details.action-panel summary", has_text="撤回").click()
    page.fill("#withdraw-reason", "案件进入复查，暂不公开。")
    page.locator("details.action-panel").get_by_role("button", name="撤回").click()
    expect(page.locator(".flashes")).to_contain_text("已撤回")
    public.reload()
    expect(public.locator(".withdrawn-notice")).to_contain_text("该信息已撤回")
    expect(public.locator(".withdrawn-notice")).to_contain_text("案件进入复查，暂不公开。")
    assert "占道经营，检察院" not in public.content()
    public.close()
