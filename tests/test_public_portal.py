"""The public portal (no login), its Atom feed and search; the staff pages of the review; the emergency lock."""
from __future__ import annotations

import inspect
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from oversight import lockdown
from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.errors import NotAllowed, ValidationFailed
from reports.publications import services
from reports.publications.models import Publication
from reports.publications.workflow import PubKind, PubState
from tests.conftest import text_of

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def crew(world, make_user):
    return SimpleNamespace(world=world, staff=world.staff,
                           reviewer=make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}),
                           security=make_user("security", world.body, roles={Role.SECURITY_ADMIN}))


def published(crew, title="典型案例一", body="正文内容", kind=PubKind.TYPICAL_CASE, **kw):
    pub = services.create(actor=crew.staff, kind=kind, title=title, summary=kw.pop("summary", "摘要"), body=body, **kw)
    services.submit(pub, actor=crew.staff)
    services.redact_all(pub, actor=crew.reviewer)
    services.publish(pub, actor=crew.reviewer)
    commit()
    return pub


def test_portal_pages_feed_and_search(crew, client):
    pub = published(crew, body="居民反映油烟扰民，联系电话13800138000。")
    hidden = services.create(actor=crew.staff, kind=PubKind.TYPICAL_CASE, title="草稿标题XYZ", body="草稿正文XYZ")
    commit()
    home = client.get("/public/")
    assert home.status_code == 200 and "典型案例一" in text_of(home) and "草稿标题XYZ" not in text_of(home)
    assert 'property="og:title"' in home.get_data(as_text=True)
    page = client.get(f"/public/p/{pub.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1380****000" in html and "13800138000" not in html
    assert f'content="http://localhost/public/p/{pub.id}"' in html
    assert client.get(f"/public/p/{hidden.id}").status_code == 404
    assert client.get("/public/p/999999").status_code == 404
    assert client.get("/public/cases").status_code == 200
    assert "典型案例一" in text_of(client.get("/public/search?q=油烟"))
    assert "草稿标题XYZ" not in text_of(client.get("/public/search?q=XYZ"))
    assert "没有找到" in text_of(client.get("/public/search?q=%25_"))
    feed = client.get("/public/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"http://localhost/public/p/{pub.id}"
    assert "13800138000" not in feed.get_data(as_text=True)

    services.withdraw(pub, actor=crew.reviewer, reason="信息有误，更正后重新发布")
    commit()
    gone = client.get(f"/public/p/{pub.id}")
    assert gone.status_code == 200 and "该信息已撤回" in text_of(gone) and "油烟" not in text_of(gone)
    assert "典型案例一" not in text_of(client.get("/public/cases"))
    assert "【已撤回】" in client.get("/public/feed.atom").get_data(as_text=True)


def test_public_pages_set_no_cookie_and_switch_language_by_link(crew, client):
    published(crew)
    home = client.get("/public/")
    assert "Set-Cookie" not in home.headers and home.headers["Cache-Control"] == "public, max-age=60"
    switched = client.get("/public/lang/en?next=/public/cases")
    assert switched.status_code == 302 and switched.location.endswith("/public/cases")
    assert "Typical cases" in text_of(client.get("/public/cases"))
    assert client.get("/public/lang/zh_CN?next=https://evil.example/").location.endswith("/public/")


def test_public_pagination(crew, client):
    for n in range(23):
        published(crew, title=f"案例{n:02d}")
    first = client.get("/public/cases")
    assert text_of(first).count("案例") >= 20 and "下一页" in text_of(first)
    import re
    next_url = re.search(r'href="([^"]*after=[^"]+)" rel="next"', first.get_data(as_text=True)).group(1)
    second = client.get(next_url.replace("&amp;", "&"))
    titles = re.findall(r"案例\d\d", text_of(second))
    assert sorted(set(titles)) == ["案例00", "案例01", "案例02"]


def test_staff_review_pages(crew, client, login):
    login(crew.staff)
    response = client.post("/publications/new", data={"kind": "typical_case", "title": "学校周边整治",
                                                       "summary": "", "body": "家长李四电话13912345678", "topic": 0,
                                                       "report_run": 0, "private_names": "李四"})
    assert response.status_code == 302
    pub = db.session.scalars(sa.select(Publication)).one()
    client.post(f"/publications/{pub.id}/submit", data={"version": pub.version})
    db.session.refresh(pub)
    assert pub.state is PubState.IN_REVIEW
    client.post("/logout")
    login(crew.reviewer)
    page = client.get(f"/publications/{pub.id}").get_data(as_text=True)
    assert page.count('<mark class="hit"') >= 4  # two hits, in the table and in the preview
    refused = client.post(f"/publications/{pub.id}/publish", data={"version": pub.version}, follow_redirects=True)
    assert "未处理" in text_of(refused)
    client.post(f"/publications/{pub.id}/redact", data={"kind": "mobile", "value": "13912345678", "version": pub.version})
    db.session.refresh(pub)
    client.post(f"/publications/{pub.id}/justify", data={"kind": "name", "value": "李四", "reason": "",
                                                         "version": pub.version})
    db.session.refresh(pub)
    assert services.unresolved(pub)  # an empty reason keeps nothing
    client.post(f"/publications/{pub.id}/redact", data={"kind": "name", "value": "李四", "version": pub.version})
    db.session.refresh(pub)
    client.post(f"/publications/{pub.id}/publish", data={"version": pub.version})
    db.session.refresh(pub)
    assert pub.state is PubState.PUBLISHED and pub.body == "家长李某电话1391****678"
    assert client.get("/publications/?state=published").status_code == 200


def test_staff_pages_need_the_npc_roles(crew, client, login):
    login(crew.world.contact)
    assert client.get("/publications/").status_code == 403
    assert client.get("/publications/new").status_code == 403


# --- the emergency lock ---------------------------------------------------------------------------
def test_only_the_security_admin_switches(crew, client, login):
    with pytest.raises(NotAllowed):
        lockdown.switch(actor=crew.staff, active=True, notice="维护")
    with pytest.raises(ValidationFailed):
        lockdown.switch(actor=crew.security, active=True, notice="  ")
    db.session.rollback()
    login(crew.staff)
    assert client.get("/admin/lockdown/").status_code == 403
    assert client.post("/admin/lockdown/on", data={"notice": "x"}).status_code == 403
    assert lockdown.active_notice() is None


def test_lock_takes_portal_feed_and_exports_offline(crew, client, login):
    pub = published(crew)
    login(crew.security)
    assert client.post("/admin/lockdown/on", data={"notice": "系统安全检查，公开服务暂停。"}).status_code == 302
    assert lockdown.active_notice() == "系统安全检查，公开服务暂停。"
    client.post("/logout")
    for url in ("/public/", f"/public/p/{pub.id}", "/public/feed.atom", "/public/search?q=a", "/public/cases",
                "/public/anything-added-later"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "系统安全检查，公开服务暂停。" in text_of(response) and "暂停服务" in text_of(response)
    login(crew.staff)
    assert client.get("/referrals/export.xlsx").status_code == 503
    assert client.get("/topics/export.xlsx").status_code == 503
    home = client.get("/")
    assert home.status_code == 200 and "熔断已开启" in text_of(home)
    client.post("/logout")
    login(crew.security)
    lock = lockdown.current()
    assert client.post("/admin/lockdown/off", data={"notice": "", "version": lock.version}).status_code == 302
    assert client.get("/public/").status_code == 200
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("lockdown.%"))
                                 .order_by(AuditEntry.seq)).all()
    assert actions == ["lockdown.on", "lockdown.off"]


def test_exports_helper_refuses_while_locked(crew):
    from oversight.exports import ensure_allowed

    ensure_allowed()
    lockdown.switch(actor=crew.security, active=True, notice="暂停")
    commit()
    with pytest.raises(lockdown.LockedDown):
        ensure_allowed()


def test_every_download_view_is_guarded(app):
    """A view that sends a file is under /public/, listed as an export endpoint or marked @export_endpoint
    (uploads excepted)."""
    rules = {r.endpoint: r.rule for r in app.url_map.iter_rules()}
    reads = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}  # POST-only views take files in
    for endpoint, view in app.view_functions.items():
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        sends = "send_file(" in source or "attachment" in source
        if sends and endpoint in reads and not endpoint.endswith("upload"):
            listed = endpoint in lockdown.EXPORT_ENDPOINTS or getattr(view, "is_export", False)
            assert rules[endpoint].startswith("/public/") or listed, endpoint
    assert lockdown.EXPORT_ENDPOINTS <= set(app.view_functions)


def test_staff_edit_and_list(crew, client, login):
    pub = services.create(actor=crew.staff, kind=PubKind.TYPICAL_CASE, title="待编辑案例", body="旧正文")
    commit()
    login(crew.staff)
    page = client.get(f"/publications/{pub.id}/edit")
    assert page.status_code == 200 and "旧正文" in page.get_data(as_text=True)
    form = {"title": "已编辑案例", "summary": "", "body": "新正文", "topic": 0, "report_run": 0, "private_names": ""}
    assert client.post(f"/publications/{pub.id}/edit", data={**form, "version": pub.version}).status_code == 302
    db.session.refresh(pub)
    assert pub.body == "新正文"
    stale = client.post(f"/publications/{pub.id}/edit", data={**form, "body": "覆盖", "version": pub.version - 1})
    assert stale.status_code == 409 and "已被他人修改" in text_of(stale)
    db.session.refresh(pub)
    assert pub.body == "新正文"
    listing = text_of(client.get("/publications/?state=draft&kind=typical_case&keyword=已编辑"))
    assert "已编辑案例" in listing
    assert "已编辑案例" not in text_of(client.get("/publications/?state=published"))
    assert client.get("/publications/?state=nonsense").status_code == 200
