"""The public clue flow in Chromium: a member of the public submits a clue through a liaison
station's entry (with an attachment, answering the local challenge), gets the tracking code and
secret, checks the status; the receiving committee's staff convert the clue into a referral draft;
the sender sees the status change. Screenshots go to test-artifacts/clue-flow-NN-*.png."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

from .test_login import log_in, log_out
from .test_referral_round_trip import PDF, Steps

pytestmark = pytest.mark.browser


def _answer(question: str) -> str:
    a, op, b = re.search(r"(\d+) (加|减) (\d+)", question).groups()
    return str(int(a) + int(b) if op == "加" else int(a) - int(b))


def _check_status(page: Page, base: str, code: str, secret: str) -> None:
    page.goto(base + "/public/clues/status")
    page.get_by_label("线索编号").fill(code)
    page.get_by_label("查询密码").fill(secret)
    page.get_by_role("button", name="查询").click()


def test_public_submits_staff_convert_sender_sees_it(page: Page, live_server, artifacts, tmp_path):
    steps = Steps(page, artifacts, "clue-flow")
    title = f"某河道夜间偷排污水 {uuid.uuid4().hex[:6]}"
    evidence = tmp_path / "现场照片说明.pdf"
    evidence.write_bytes(PDF)

    page.goto(live_server + "/public/stations/JZ-NPC-JB-LS1/clue")
    expect(page.get_by_role("heading", level=1)).to_have_text("提交监督线索")
    expect(page.locator(".notice")).to_contain_text("联络站")
    page.get_by_label("线索类别").select_option("public_interest")
    page.get_by_label("标题").fill(title)
    page.get_by_label("线索内容").fill("每晚十点后有企业通过暗管向河道排放污水，河水发黑发臭。举报人电话 13800138000。")
    page.get_by_label("发生地点").fill("江北区石门镇河段")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("附件").set_input_files(str(evidence))
    page.get_by_label("验证题答案").fill(_answer(page.locator("#challenge-question").inner_text()))
    steps.shot("form")
    page.get_by_role("button", name="提交线索").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("线索已提交")
    code = page.locator("#tracking-code").inner_text()
    secret = page.locator("#tracking-secret").inner_text()
    assert re.fullmatch(r"XS\d{4}-[0-9A-Z]{8}", code) and len(secret) == 14
    steps.shot("receipt")

    _check_status(page, live_server, code, secret)
    expect(page.locator("#clue-state")).to_have_text("已收到，正在处理")
    expect(page.locator("main")).not_to_contain_text("13800138000")
    steps.shot("status-received")

    # The receiving committee's staff triage it.
    page.context.clear_cookies()
    log_in(page, live_server, "jb.liaison", data.DEMO_PASSWORD)
    page.goto(live_server + "/clues/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("现场照片说明.pdf")
    page.get_by_role("button", name="查看联系方式（记入审计日志）").click()
    expect(page.locator("#clue-contact")).to_contain_text("13800138000")
    steps.shot("staff-detail")
    page.get_by_role("button", name="转为移送事项").click()
    expect(page.locator(".flashes")).to_contain_text("线索已转为移送事项草稿")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text(code)
    expect(page.locator("main")).to_contain_text("现场照片说明.pdf")
    steps.shot("referral-draft")
    log_out(page, live_server)

    # The sender sees the change, and nothing internal.
    _check_status(page, live_server, code, secret)
    expect(page.locator("#clue-state")).to_have_text("已转为移送事项，交由人民检察院依法办理")
    expect(page.locator("main")).not_to_contain_text("jb.liaison")
    expect(page.locator("main")).to_contain_text("附件 1 个")
    steps.shot("status-converted")

    # A wrong secret gets the one message.
    _check_status(page, live_server, code, "AAAA-BBBB-CCCC")
    expect(page.locator("[role=alert]")).to_contain_text("线索编号或查询密码不正确。")
