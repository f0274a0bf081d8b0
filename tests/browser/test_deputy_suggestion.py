"""A deputy's suggestion through the real pages in Chromium: the deputy writes it, the district
committee's staff send it, the procuratorate handles it with a consultation (面商) and replies, and
the deputy evaluates. A second suggestion about a specific case is converted to a deputy's letter,
keeping its history. Screenshots go to test-artifacts/deputy-suggestion-NN-*.png."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

from .test_login import log_in, log_out
from .test_referral_round_trip import Steps, evaluate, flash, open_from_inbox, panel, reply, state

pytestmark = pytest.mark.browser

PASSWORD = data.DEMO_PASSWORD


def write_suggestion(page: Page, base: str, title: str, body: str) -> None:
    page.goto(base + "/referrals/")
    page.get_by_role("link", name="新建移送事项（人大 → 检察院）").click()
    page.get_by_label("事项类型").select_option(label="代表建议")
    expect(page.get_by_label("接收单位")).to_have_value(page.get_by_label("接收单位").input_value())
    page.get_by_label("标题").fill(title)
    page.get_by_label("事项内容").fill(body)
    expect(page.get_by_role("button", name="保存并移送")).to_have_count(0)  # staff send it
    page.get_by_role("button", name="保存草稿").click()
    expect(flash(page)).to_contain_text("已保存为草稿")


def test_deputy_suggestion_with_consultation_evaluated_by_the_deputy(page: Page, live_server, artifacts):
    base, steps = live_server, Steps(page, artifacts, prefix="deputy-suggestion")
    tag = uuid.uuid4().hex[:6]
    title = f"关于加强校园周边未成年人保护的建议-{tag}"
    case_title = f"关于某案件久拖不决的建议-{tag}"

    # 1. The deputy writes two suggestions (drafts: the committee's staff send them).
    log_in(page, base, "deputy.wang", PASSWORD)
    write_suggestion(page, base, title, "建议检察机关加强校园周边治安问题的法律监督，督促相关部门落实保护措施。")
    expect(state(page)).to_have_text("草稿")
    steps.shot("deputy-writes")
    write_suggestion(page, base, case_title, "本人所在选区群众反映，张某诉某公司合同纠纷一案久拖不决，请督促办理。")
    log_out(page, base)

    # 2. The district staff convert the case-specific one to a deputy's letter, and send both.
    log_in(page, base, "jb.liaison", PASSWORD)
    open_from_inbox(page, base, case_title)
    form = panel(page, "转为代表来信")
    form.locator("summary").click()
    form.get_by_label("转为").select_option(label="代表转交来信")
    form.get_by_label("转换理由").fill("涉及具体案件，按代表来信转交办理。")
    form.get_by_role("button", name="确认转为代表来信").click()
    expect(flash(page)).to_contain_text("“转为代表来信”已完成")
    expect(page.locator("dl.facts")).to_contain_text("代表转交来信")
    expect(page.locator("dl.facts")).to_contain_text("王喆")  # still the deputy's
    expect(page.locator("table.timeline")).to_contain_text("由“代表建议”转为“代表转交来信”")
    page.get_by_role("button", name="移送", exact=True).click()
    expect(state(page)).to_have_text("已移送")
    expect(page.locator("table.timeline tbody tr")).to_have_count(2)  # convert, then send: history kept
    steps.shot("staff-converted-to-letter")

    open_from_inbox(page, base, title)
    expect(page.locator("dl.facts")).to_contain_text("王喆")
    page.get_by_role("button", name="移送", exact=True).click()
    expect(flash(page)).to_contain_text("“移送”已完成")
    expect(state(page)).to_have_text("已移送")
    steps.shot("staff-sent")
    log_out(page, base)

    # 3. The district procuratorate acknowledges, accepts and assigns it.
    log_in(page, base, "jb.contact", PASSWORD)
    open_from_inbox(page, base, title)
    page.get_by_role("button", name="签收", exact=True).click()
    expect(state(page)).to_have_text("已签收")
    form = panel(page, "受理")
    form.locator("summary").click()
    form.get_by_label("程序性答复").fill("已受理，将与代表面商后办理。")
    form.get_by_role("button", name="确认受理").click()
    expect(state(page)).to_have_text("已受理")
    form = panel(page, "交办")
    form.locator("summary").click()
    form.get_by_label("承办部门").select_option(label="江北区人民检察院第一检察部")
    form.get_by_label("承办人").select_option(label="朱镕（江北区人民检察院第一检察部）")
    form.get_by_role("button", name="确认交办").click()
    expect(state(page)).to_have_text("办理中")
    log_out(page, base)

    # 4. The handler meets the deputy (面商), records it, and replies.
    log_in(page, base, "jb.handler", PASSWORD)
    open_from_inbox(page, base, title)
    form = panel(page, "记录面商")
    form.locator("summary").click()
    form.get_by_label("面商日期").fill(dt.date.today().isoformat())
    form.get_by_label("面商情况").fill("与王喆代表当面沟通办理思路，代表同意分两步推进。")
    form.get_by_role("button", name="确认记录面商").click()
    expect(flash(page)).to_contain_text("“记录面商”已完成")
    expect(page.locator("table.timeline")).to_contain_text("面商：与王喆代表当面沟通办理思路")
    reply(page, "已解决或采纳", "已向教育、公安部门制发检察建议，校园周边专项整治已完成。")
    expect(state(page)).to_have_text("已答复")
    steps.shot("handler-consulted-and-replied")
    log_out(page, base)

    # 5. The deputy follows the suggestion and evaluates the reply.
    log_in(page, base, "deputy.wang", PASSWORD)
    open_from_inbox(page, base, title)
    expect(page.locator("section.side-receiver")).to_contain_text("校园周边专项整治已完成")
    evaluate(page, "满意")
    expect(flash(page)).to_contain_text("“评价”已完成")
    expect(state(page)).to_have_text("已办结")
    steps.shot("deputy-satisfied-closed")
    # The deputy sees the letter too (their own), but no action on it.
    page.goto(base + "/referrals/search?q=" + tag)
    expect(page.get_by_role("link", name=case_title)).to_be_visible()
    log_out(page, base)
