"""The whole round trip of a referral through the real pages in Chromium, each person in turn:
NPC staff refer → the procuratorate contact acknowledges, accepts and assigns → the handler replies
with a result attachment → NPC staff evaluate 不满意 → the handler replies again → 基本满意 → closed.
A screenshot of each step goes to test-artifacts/referral-round-trip-NN-*.png."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

from .test_login import log_in, log_out

pytestmark = pytest.mark.browser

PASSWORD = data.DEMO_PASSWORD
PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")


class Steps:
    """Screenshots numbered in the order they were taken."""

    def __init__(self, page: Page, artifacts, prefix: str = "referral-round-trip"):
        self.page, self.artifacts, self.prefix, self.n = page, artifacts, prefix, 0

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(self.artifacts / f"{self.prefix}-{self.n:02d}-{name}.png"), full_page=True)


def panel(page: Page, label: str):
    """The expandable form of one workflow action on the detail page."""
    return page.locator("details.action-panel").filter(has=page.locator("summary", has_text=re.compile(f"^{label}$")))


def flash(page: Page):
    return page.locator(".flashes")


def state(page: Page):
    return page.locator(".page-head .state")


def open_from_inbox(page: Page, base: str, title: str) -> None:
    """Find the referral in the inbox, as the user would, and open it."""
    page.goto(base + "/referrals/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def reply(page: Page, outcome: str, text: str, files=None) -> None:
    form = panel(page, "答复")
    form.locator("summary").click()
    form.get_by_label("办理结果").select_option(label=outcome)
    form.get_by_label("答复内容").fill(text)
    if files:
        form.get_by_label("答复附件").set_input_files(files)
    form.get_by_role("button", name="确认答复").click()


def evaluate(page: Page, verdict: str, reasons: str = "") -> None:
    form = panel(page, "评价")
    form.locator("summary").click()
    form.get_by_label(verdict, exact=True).check()
    if reasons:
        form.get_by_label("理由").fill(reasons)
    form.get_by_role("button", name="确认评价").click()


def test_round_trip_npc_to_procuratorate_and_back(page: Page, live_server, artifacts):
    base, steps = live_server, Steps(page, artifacts)
    title = f"关于某区法院执行案件久拖未结问题的移送-{uuid.uuid4().hex[:6]}"

    # 1. NPC staff write and send the referral.
    log_in(page, base, "npc.liaison", PASSWORD)
    page.goto(base + "/referrals/")
    page.get_by_role("link", name="新建移送事项（人大 → 检察院）").click()
    page.get_by_label("事项类型").select_option(label="执法司法问题（执法检查、调研发现）")
    expect(page.get_by_label("接收单位")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("接收单位").select_option(label="江州市人民检察院")
    page.get_by_label("标题").fill(title)
    page.get_by_label("事项内容").fill("执法检查中发现，部分执行案件超过法定期限仍未办结，请依法监督并反馈。")
    steps.shot("npc-writes")
    page.get_by_role("button", name="保存并移送").click()
    expect(flash(page)).to_contain_text("已发出，编号")
    expect(state(page)).to_have_text("已移送")
    detail_url = page.url
    serial = re.search(r"编号 (\S+?)。", flash(page).inner_text()).group(1)
    steps.shot("npc-sent")
    log_out(page, base)

    # 2. The procuratorate contact acknowledges, accepts and assigns it.
    log_in(page, base, "proc.contact", PASSWORD)
    open_from_inbox(page, base, title)
    expect(page.locator("dl.facts")).to_contain_text(serial)
    page.get_by_role("button", name="签收", exact=True).click()
    expect(flash(page)).to_contain_text("“签收”已完成")
    expect(state(page)).to_have_text("已签收")
    steps.shot("contact-acknowledged")

    form = panel(page, "受理")
    form.locator("summary").click()
    form.get_by_label("程序性答复").fill("已受理，交第一检察部依法审查办理，三个月内答复。")
    form.get_by_role("button", name="确认受理").click()
    expect(flash(page)).to_contain_text("“受理”已完成")
    expect(state(page)).to_have_text("已受理")
    steps.shot("contact-accepted")

    form = panel(page, "交办")
    form.locator("summary").click()
    form.get_by_label("承办部门").select_option(label="江州市人民检察院第一检察部")
    form.get_by_label("承办人").select_option(label="赵赟（江州市人民检察院第一检察部）")
    form.get_by_role("button", name="确认交办").click()
    expect(flash(page)).to_contain_text("“交办”已完成")
    expect(state(page)).to_have_text("办理中")
    expect(page.locator("dl.facts")).to_contain_text("承办人：赵赟")
    steps.shot("contact-assigned")
    log_out(page, base)

    # 3. The handler replies with the result and a result attachment.
    log_in(page, base, "proc.handler", PASSWORD)
    open_from_inbox(page, base, title)
    reply(page, "正在解决", "已向区法院发出检察建议，督促清理超期执行案件，正在跟进落实。",
          files={"name": "检察建议书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(flash(page)).to_contain_text("“答复”已完成")
    expect(state(page)).to_have_text("已答复")
    attachments = page.locator("section.attachments")
    expect(attachments.get_by_role("link", name="检察建议书.pdf")).to_be_visible()
    steps.shot("handler-replied")
    log_out(page, base)

    # 4. NPC staff see the reply and its attachment, and are not satisfied.
    log_in(page, base, "npc.liaison", PASSWORD)
    open_from_inbox(page, base, title)
    expect(page.locator("section.side-receiver")).to_contain_text("已向区法院发出检察建议")
    link = page.locator("section.attachments").get_by_role("link", name="检察建议书.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "检察建议书.pdf"
    evaluate(page, "不满意", "未说明超期案件的清理时限和结果，请补充办理。")
    expect(flash(page)).to_contain_text("“评价”已完成")
    expect(state(page)).to_have_text("办理中")
    expect(page.locator(".page-head")).to_contain_text("第 2 轮办理")
    steps.shot("npc-dissatisfied")
    log_out(page, base)

    # 5. The handler handles it again and replies a second time.
    log_in(page, base, "proc.handler", PASSWORD)
    open_from_inbox(page, base, title)
    expect(page.locator("section.side-sender")).to_contain_text("未说明超期案件的清理时限和结果")
    reply(page, "已解决或采纳", "经督促，区法院已于本月清理超期执行案件 37 件，并建立执行期限预警机制。")
    expect(flash(page)).to_contain_text("“答复”已完成")
    expect(state(page)).to_have_text("已答复")
    steps.shot("handler-replied-again")
    log_out(page, base)

    # 6. NPC staff are basically satisfied: the referral closes.
    log_in(page, base, "npc.liaison", PASSWORD)
    open_from_inbox(page, base, title)
    evaluate(page, "基本满意")
    expect(flash(page)).to_contain_text("“评价”已完成")
    expect(state(page)).to_have_text("已办结")
    assert page.url == detail_url
    timeline = page.locator("table.timeline tbody")
    for action in ("移送", "签收", "受理", "交办", "答复", "评价"):
        expect(timeline).to_contain_text(action)
    expect(timeline.locator("tr")).to_have_count(8)  # send, ack, accept, assign, reply, evaluate, reply, evaluate
    expect(page.locator("section.side-sender")).to_contain_text("基本满意")
    steps.shot("npc-basically-satisfied-closed")
    log_out(page, base)
