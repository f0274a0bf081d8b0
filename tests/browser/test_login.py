"""Logging in and out through the real pages in Chromium, once per demo role."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from oversight.demo import data

pytestmark = pytest.mark.browser

ACCOUNTS = [pytest.param(role.value, username, id=role.value) for role, username, _n, _o in data.ACCOUNTS]


@pytest.fixture(scope="session")
def demo_accounts(live_app) -> dict[str, dict]:
    """The accounts as `flask demo accounts` prints them, by role."""
    result = live_app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code == 0, (result.output, result.exception)
    return {account["role"]: account for account in json.loads(result.output)}


@pytest.fixture(scope="session")
def role_labels(live_app) -> dict[str, str]:
    from oversight.accounts.models import Role

    with live_app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return {role.value: str(role.label) for role in Role}


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/login(\?.*)?$"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def log_out(page: Page, base_url: str) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(base_url + "/login")
    expect(page.locator(".flashes")).to_contain_text("您已安全退出")


@pytest.mark.parametrize(("role", "username"), ACCOUNTS)
def test_every_role_logs_in_and_out(page: Page, live_server, artifacts, demo_accounts, role_labels,
                                    role, username):
    account = demo_accounts[role]
    assert account["username"] == username
    log_in(page, live_server, username, account["password"])

    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    card = page.locator(f'section.role-card[data-role="{role}"]')
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", level=2)).to_have_text(role_labels[role])
    page.screenshot(path=str(artifacts / f"login-{role}.png"), full_page=True)

    log_out(page, live_server)
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/login(\?.*)?$"))


def test_wrong_password_is_refused(page: Page, live_server):
    username = data.EXTRA_STAFF[0][1]  # a real account outside the per-role test above
    log_in(page, live_server, username, "not-" + data.DEMO_PASSWORD)

    expect(page).to_have_url(live_server + "/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator("#password-error")).to_contain_text("用户名或密码错误")
    expect(page.get_by_role("button", name="退出")).to_have_count(0)
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/login(\?.*)?$"))


def test_pages_load_nothing_from_outside(page: Page, live_server, demo_accounts):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    admin = demo_accounts["system_admin"]
    log_in(page, live_server, admin["username"], admin["password"])
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    for path in ("/", "/organisations/", "/calendar/"):
        response = page.goto(live_server + path)
        assert response is not None and response.ok, (path, response and response.status)
    page.wait_for_load_state("networkidle")  # anything fetched after the load event, too
    log_out(page, live_server)

    assert requested, "no requests were recorded"
    outside = [url for url in requested if not (url.startswith(live_server + "/") or url.startswith("data:"))]
    assert not outside, outside
