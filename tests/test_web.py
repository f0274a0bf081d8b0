"""The shell: every route needs a login, error pages speak Chinese, headers, health, CSRF."""
from __future__ import annotations

import io

import pytest
from werkzeug.routing import IntegerConverter

from .conftest import text_of

# Routes that must work without a session, and why.
PUBLIC_ENDPOINTS = {
    "auth.login",           # the way in
    "static",               # CSS and JS for the login page
    "auth.set_language",    # the login page offers 中文/English
    "web.health",           # load balancers probe it
    "liaison_feed.feed",    # calendar clients cannot log in: the URL's secret token is checked instead
    # The public portal (s3-public): no login by design; the emergency lock guards it.
    "public.home", "public.topics", "public.rectification", "public.cases", "public.reports", "public.search",
    "public.publication", "public.report_pdf", "public.atom",
    # Public evaluation: the invitation's one-time token is checked instead; results only once published.
    "public_evaluation.entry", "public_evaluation.rate", "public_evaluation.thanks",
    "public_evaluation.results_index", "public_evaluation.results",
}
# The public portal (publications, feed, clue port, evaluation) lives under this prefix, and only there.
PUBLIC_PREFIX = "/public/"


def _example_url(app, rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_route_requires_login_except_the_listed_ones(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIX):
            continue
        url = _example_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert response.location.startswith("/login"), f"{method} {url} → {response.location}"
            checked += 1
    assert checked > 20  # the walk really walked


def test_public_endpoints_are_exactly_the_marked_views(app):
    marked = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "is_public", False)}
    portal = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith(PUBLIC_PREFIX)}
    assert portal <= marked  # every page of the public portal is marked, none needs a session
    assert (marked - portal) | {"static"} == PUBLIC_ENDPOINTS


def test_login_page_is_chinese_and_accessible(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert '<label for="username">用户名</label>' in html
    assert '<label for="password">密码</label>' in html
    assert "https://" not in html and "http://" not in html  # nothing from outside


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_behind_login_are_not_cached(world, client, login):
    login(world.staff)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_not_found_is_chinese(world, client, login):
    login(world.staff)
    page = client.get("/organisations/999999")
    assert page.status_code == 404
    assert "页面不存在" in text_of(page)


def test_forbidden_is_chinese(world, client, login):
    login(world.staff)
    page = client.get("/admin/users/")
    assert page.status_code == 403 and "无权访问" in text_of(page)


def test_method_not_allowed_is_chinese(world, client, login):
    login(world.staff)
    page = client.get("/logout")
    assert page.status_code == 405 and "请求方式不被允许" in text_of(page)


def test_json_clients_get_json_errors(world, client, login):
    login(world.staff)
    response = client.get("/organisations/999999", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["message"]


def test_too_large_upload_is_413_in_chinese(world, client, login, app):
    login(world.admin)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        page = client.post("/organisations/import", data={"sheet": (io.BytesIO(b"x" * 4096), "big.csv")},
                           content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert page.status_code == 413 and "文件过大" in text_of(page)


def test_missing_csrf_token_is_refused_clearly(world, app, login):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        page = client.post("/login", data={"username": "staff", "password": "whatever-123"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert page.status_code == 400 and "页面已过期" in text_of(page)


def test_health_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_internal_error_page_is_chinese(app):
    from oversight import create_app
    from oversight.db import db

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SECRET_KEY": "x", "PROPAGATE_EXCEPTIONS": False})

    @fresh.get("/__boom")
    def boom():  # exists only in this test's app
        raise RuntimeError("boom")

    boom.is_public = True
    with fresh.app_context():
        page = fresh.test_client().get("/__boom")
        db.engine.dispose()
    assert page.status_code == 500 and "系统错误" in text_of(page)


def test_role_aware_navigation(world, client, login):
    login(world.staff)
    nav = text_of(client.get("/"))
    assert "用户管理" not in nav and "审计日志" not in nav
    client.post("/logout")
    login(world.admin)
    nav = text_of(client.get("/"))
    assert "用户管理" in nav and "审计日志" not in nav
    client.post("/logout")
    login(world.auditor)
    assert "审计日志" in text_of(client.get("/"))


def test_times_are_shown_in_shanghai(world, client, login):
    import datetime as dt

    from oversight.notifications.services import notify
    from oversight.db import commit

    note = notify(world.staff, kind="test", title="测试消息")
    note.created_at = dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.timezone.utc)
    commit()
    login(world.staff)
    page = text_of(client.get("/inbox/"))
    assert "2026-11-27 00:30" in page and "测试消息" in page
