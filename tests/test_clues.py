"""The clue port: the state table, the public form and its protection (rate limit, challenge, files),
the receipt only after the commit, the status look-up, staff triage and its scope."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from oversight.accounts.models import Role
from oversight.attachments.models import Attachment
from oversight.audit.models import AuditEntry
from oversight.clues import protection, services
from oversight.clues.models import Clue, RateEvent
from oversight.clues.workflow import TABLE, ClueAction, ClueState, available_actions, target
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.notifications.models import Notification
from oversight.referrals.models import Referral
from oversight.referrals.workflow import State

from .conftest import text_of

PDF = (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


# --- the pure table ----------------------------------------------------------------------------

@pytest.mark.parametrize("state", list(ClueState))
@pytest.mark.parametrize("action", list(ClueAction))
def test_table_allows_triage_only_from_received(state, action):
    expected = {ClueAction.CONVERT: ClueState.CONVERTED, ClueAction.MERGE: ClueState.MERGED,
                ClueAction.DECLINE: ClueState.DECLINED}[action] if state is ClueState.RECEIVED else None
    assert target(state, action) is expected
    assert (action in available_actions(state)) is (expected is not None)
    assert len(TABLE) == 3


def test_similarity_ranks_the_same_matter_first():
    from oversight.clues.similarity import bigrams, jaccard, rank

    a = bigrams("某河道长期非法排污，河水发黑发臭")
    assert jaccard(a, bigrams("某河道长期非法排污，河水发黑发臭！")) == 1.0
    assert jaccard(a, bigrams("小区消防通道被占")) < 0.1

    class C:
        def __init__(self, i):
            self.id = i

    ranked = rank("某河道非法排污", [(C(1), "某河道非法排污严重"), (C(2), "景区违规收费"), (C(3), "河道排污")])
    assert [c.id for c, _s in ranked] == [1, 3]


# --- helpers ----------------------------------------------------------------------------------

def _challenge(client, path="/public/clues/new"):
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = re.search(r'name="challenge"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="challenge"', html)
    token = token.group(1) or token.group(2)
    a, op, b = re.search(r"(\d+) (加|减) (\d+) 等于多少", html).groups()
    return token, str(int(a) + int(b) if op == "加" else int(a) - int(b))


def _form(client, world, *, station=None, files=None, **fields):
    token, answer = _challenge(client, f"/public/clues/new?station={station}" if station else "/public/clues/new")
    data = {"category": "public_interest", "title": "某河道非法排污", "description": "某河道长期有企业夜间偷排污水，河水发黑。",
            "place": "某区某街道", "challenge": token, "answer": answer, "receiving_org": str(world.npc.id)}
    if station:
        data["station"] = station
    data.update(fields)
    if files:
        data["files"] = files
    return data


def _submit(client, world, addr="10.0.0.1", **kw):
    data = _form(client, world, **kw)
    return client.post("/public/clues/new", data=data, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": addr})


def _receipt(response):
    html = response.get_data(as_text=True)
    code = re.search(r'id="tracking-code">([^<]+)<', html).group(1)
    secret = re.search(r'id="tracking-secret">([^<]+)<', html).group(1)
    return code, secret


def _status(client, code, secret, addr="10.0.0.9"):
    return client.post("/public/clues/status", data={"code": code, "secret": secret},
                       environ_base={"REMOTE_ADDR": addr})


def _clue(world, **kw) -> Clue:
    fields = dict(tracking_code=services.new_tracking_code(), secret_hash=services.hash_secret("AAAA-BBBB-CCCC"),
                  category="public_interest", title="某河道非法排污", description="某河道长期有企业偷排污水",
                  place="某街道", receiving_org=world.npc)
    fields.update(kw)
    clue = Clue(**fields)
    db.session.add(clue)
    db.session.commit()
    return clue


# --- the public form ----------------------------------------------------------------------------

def test_public_submission_gives_code_after_commit_and_tells_staff(client, world):
    response = _submit(client, world, contact_name="张三", contact_phone="13800138000")
    assert response.status_code == 200, text_of(response)
    assert response.headers["Cache-Control"] == "no-store"
    code, secret = _receipt(response)
    clue = db.session.scalar(sa.select(Clue).where(Clue.tracking_code == code))
    assert clue is not None and clue.state is ClueState.RECEIVED and clue.receiving_org_id == world.npc.id
    assert clue.contact_phone == "13800138000" and secret not in clue.secret_hash
    assert services.secret_matches(secret, clue.secret_hash) and not services.secret_matches("X", clue.secret_hash)
    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "clue.new")).all()
    assert [n.user_id for n in notes] == [world.staff.id]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "clue.submit"))
    assert "13800138000" not in entry.summary and "张三" not in entry.summary and entry.actor_id is None


def test_station_entry_routes_to_its_committee(client, world):
    assert client.get("/public/stations/C-NPC-LS1/clue").status_code == 302
    assert client.get("/public/stations/C-NPC/clue").status_code == 404  # not a station
    page = client.get("/public/clues/new?station=C-NPC-LS1")
    assert "某街道代表联络站" in text_of(page)
    response = _submit(client, world, station="C-NPC-LS1", receiving_org="")
    assert response.status_code == 200, text_of(response)
    clue = db.session.scalar(sa.select(Clue))
    assert clue.source.value == "station" and clue.station_org_id == world.station.id
    assert clue.receiving_org_id == world.npc.id


def test_bad_fields_rerender_with_chinese_messages(client, world):
    response = _submit(client, world, title="", category="nonsense", contact_email="not-an-email")
    assert response.status_code == 422
    body = text_of(response)
    assert "请填写标题。" in body and "请选择线索类别。" in body and "电子邮箱格式不正确。" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 0


def test_receipt_never_shown_when_the_commit_fails(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    data = _form(client, world)

    def refuse(session):  # the database refuses the commit (disk full, connection lost…)
        if session.execute(sa.select(sa.func.count()).select_from(Clue)).scalar():
            raise RuntimeError("disk full")
    event.listen(Session, "before_commit", refuse)
    try:
        response = client.post("/public/clues/new", data=data, content_type="multipart/form-data",
                               environ_base={"REMOTE_ADDR": "10.0.0.3"})
    finally:
        event.remove(Session, "before_commit", refuse)
    assert response.status_code == 500
    assert "XS20" not in response.get_data(as_text=True) and "tracking-secret" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 0


# --- protection ----------------------------------------------------------------------------------

def test_a_flood_from_one_address_is_refused_others_still_accepted(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLUE_RATE_LIMITS", {"submit": [(600, 2), (86_400, 5)]})
    for _i in range(2):
        assert _submit(client, world, addr="10.1.1.1").status_code == 200
    refused = _submit(client, world, addr="10.1.1.1")
    assert refused.status_code == 429
    body = text_of(refused)
    assert "最多提交 2 条线索" in body and "之后再提交" in body and "XS20" not in body
    assert _submit(client, world, addr="10.2.2.2").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 3
    # The address itself is not stored, only its keyed hash.
    assert all("10.1.1.1" not in e.client_key for e in db.session.scalars(sa.select(RateEvent)))


def test_rate_limit_window_reopens(app, world):
    key = protection.client_key("10.9.9.9")
    start = utcnow() - dt.timedelta(minutes=11)
    for i in range(5):
        protection.count("submit", key, now=start + dt.timedelta(seconds=i))
    protection.check_rate("submit", key)  # the 10-minute window has passed
    with pytest.raises(protection.RateLimited) as caught:
        protection.check_rate("submit", key, now=start + dt.timedelta(minutes=1))
    assert caught.value.retry_at == start + dt.timedelta(minutes=10)
    assert protection.purge(now=utcnow() + dt.timedelta(days=2))[0] == 5


def test_challenge_reused_forged_expired_and_wrong_are_refused(app, world):
    question, token = protection.new_challenge()
    a, op, b = re.search(r"(\d+) (加|减) (\d+)", question).groups()
    answer = str(int(a) + int(b) if op == "加" else int(a) - int(b))
    with pytest.raises(ValidationFailed, match="答案不正确"):
        protection.spend_challenge(token, str(int(answer) + 1))
    nonce, expires, sig = token.split(".")
    with pytest.raises(ValidationFailed, match="答案不正确"):  # a forged expiry breaks the signature
        protection.spend_challenge(f"{nonce}.{int(expires) + 9999}.{sig}", answer)
    with pytest.raises(ValidationFailed, match="无效"):
        protection.spend_challenge("made-up", answer)
    with pytest.raises(ValidationFailed, match="已过期"):
        protection.spend_challenge(token, answer, now=utcnow() + dt.timedelta(hours=1))
    protection.spend_challenge(token, answer)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="已使用过"):
        protection.spend_challenge(token, answer)


def test_reused_challenge_is_refused_on_the_form(client, world):
    data = _form(client, world)
    first = client.post("/public/clues/new", data=dict(data), content_type="multipart/form-data")
    assert first.status_code == 200
    again = client.post("/public/clues/new", data=dict(data), content_type="multipart/form-data")
    assert again.status_code == 422 and "该验证题已使用过" in text_of(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 1


def test_oversized_and_disguised_files_are_refused(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLUE_ATTACHMENT_MAX_BYTES", 100 * 1024)
    big = _submit(client, world, files=[(io.BytesIO(b"%PDF-1.4\n" + b"0" * (100 * 1024 + 10)), "big.pdf")])
    assert big.status_code == 422 and "过大" in text_of(big) and "100 KB" in text_of(big)
    disguised = _submit(client, world, files=[(io.BytesIO(PNG), "scan.pdf")])
    assert disguised.status_code == 422 and "内容与其扩展名不符" in text_of(disguised)
    script = _submit(client, world, files=[(io.BytesIO(b"MZ\x90\x00 not really a pdf"), "report.pdf")])
    assert script.status_code == 422 and "内容与其扩展名不符" in text_of(script)
    exe = _submit(client, world, files=[(io.BytesIO(b"MZ"), "setup.exe")])
    assert exe.status_code == 422 and "类型不受支持" in text_of(exe)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 0
    ok = _submit(client, world, files=[(io.BytesIO(PDF), "证据.pdf")])
    assert ok.status_code == 200
    clue = db.session.scalar(sa.select(Clue))
    [attachment] = services.attachments_of(clue)
    assert attachment.kind == "pdf" and attachment.uploaded_by_id is None


# --- the status look-up -----------------------------------------------------------------------------

def test_status_shows_redacted_public_view_and_one_message_for_wrong_input(client, world):
    code, secret = _receipt(_submit(client, world, description="举报人电话13800138000，身份证 11010519491231002X。",
                                    contact_name="李四", contact_email="li@example.com"))
    page = _status(client, code, secret.lower().replace("-", ""))
    body = text_of(page)
    assert page.status_code == 200 and "已收到" in body
    assert "13800138000" not in body and "11010519491231002X" not in body and "li@example.com" not in body
    assert "李四" not in body
    wrong_secret = _status(client, code, "AAAA-AAAA-AAAA")
    wrong_code = _status(client, "XS2026-NOPE0000", secret)
    assert wrong_secret.status_code == wrong_code.status_code == 404
    assert "线索编号或查询密码不正确。" in text_of(wrong_secret) and "线索编号或查询密码不正确。" in text_of(wrong_code)
    assert code not in text_of(wrong_secret)


def test_status_lookups_are_rate_limited(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "CLUE_RATE_LIMITS", {"status": [(600, 3)]})
    for _i in range(3):
        assert _status(client, "XS2026-GUESS000", "x", addr="10.5.5.5").status_code == 404
    refused = _status(client, "XS2026-GUESS000", "x", addr="10.5.5.5")
    assert refused.status_code == 429 and "查询过于频繁" in text_of(refused)


def test_sender_sees_decline_with_redacted_reason(client, login, world):
    code, secret = _receipt(_submit(client, world))
    clue = db.session.scalar(sa.select(Clue))
    login(world.staff)
    response = client.post(f"/clues/{clue.id}/decline", data={"version": clue.version,
                                                              "reason": "经核实不属于检察监督范围，可拨打13900139000咨询。"})
    assert response.status_code == 302
    body = text_of(_status(client, code, secret))
    assert "不予采用" in body and "不属于检察监督范围" in body and "13900139000" not in body


# --- staff triage ---------------------------------------------------------------------------------

def test_convert_creates_a_referral_draft_with_the_attachments(client, login, world):
    _submit(client, world, contact_phone="13800138000", files=[(io.BytesIO(PDF), "证据.pdf")])
    clue = db.session.scalar(sa.select(Clue))
    login(world.staff)
    detail = client.get(f"/clues/{clue.id}")
    assert detail.status_code == 200 and "13800138000" not in text_of(detail)
    shown = client.post(f"/clues/{clue.id}/contact")
    assert "13800138000" in text_of(shown)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "clue.contact_view")) is not None
    response = client.post(f"/clues/{clue.id}/convert", data={"version": clue.version})
    assert response.status_code == 302, text_of(response)
    db.session.refresh(clue)
    referral = db.session.get(Referral, clue.referral_id)
    assert clue.state is ClueState.CONVERTED and referral.state is State.DRAFT
    assert referral.title == clue.title and clue.description in referral.body and clue.tracking_code in referral.body
    assert "13800138000" not in referral.body
    assert referral.sender_org_id == world.npc.id and referral.receiver_org_id == world.proc.id
    files = db.session.scalars(sa.select(Attachment).where(Attachment.owner_type == "referrals")).all()
    assert [f.filename for f in files] == ["证据.pdf"]
    assert response.headers["Location"].endswith(f"/referrals/{referral.id}")
    again = client.post(f"/clues/{clue.id}/convert", data={"version": clue.version})
    assert again.status_code == 409 and "不能执行" in text_of(again)


def test_merge_with_similar_hint_and_stale_version(client, login, world):
    first = _clue(world, title="某河道非法排污", description="某河道长期有企业偷排污水，河水发黑")
    second = _clue(world, title="某河道非法排污问题", description="某河道长期有企业偷排污水，河水发黑发臭")
    other = _clue(world, title="景区违规收费", description="某景区违规收取停车费")
    login(world.staff)
    page = text_of(client.get(f"/clues/{second.id}"))
    assert "相似线索提示" in page and first.tracking_code in page and other.tracking_code not in page
    stale = client.post(f"/clues/{second.id}/merge", data={"version": second.version + 1, "into": first.tracking_code})
    assert stale.status_code == 409 and "已被他人处理或修改" in text_of(stale)
    self_merge = client.post(f"/clues/{second.id}/merge", data={"version": second.version, "into": second.tracking_code})
    assert self_merge.status_code == 422
    response = client.post(f"/clues/{second.id}/merge", data={"version": second.version, "into": first.tracking_code})
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.state is ClueState.MERGED and second.duplicate_of_id == first.id
    into_merged = client.post(f"/clues/{other.id}/merge", data={"version": other.version, "into": second.tracking_code})
    assert into_merged.status_code == 422 and "已合并到其他线索" in text_of(into_merged)


def test_decline_needs_a_reason(client, login, world):
    clue = _clue(world)
    login(world.staff)
    response = client.post(f"/clues/{clue.id}/decline", data={"version": clue.version, "reason": " "})
    assert response.status_code == 422 and "请填写不予采用的理由" in text_of(response)


@pytest.mark.parametrize("state", [ClueState.CONVERTED, ClueState.MERGED, ClueState.DECLINED])
def test_services_refuse_every_action_after_triage(app, world, state):
    target_clue = _clue(world)
    extra = {ClueState.CONVERTED: {}, ClueState.MERGED: {"duplicate_of_id": target_clue.id},
             ClueState.DECLINED: {"decline_reason": "不属于监督范围"}}[state]
    if state is ClueState.CONVERTED:
        referral = services.convert(_clue(world), actor=world.staff)
        db.session.commit()
        clue = db.session.scalar(sa.select(Clue).where(Clue.referral_id == referral.id))
    else:
        clue = _clue(world, state=state, **extra)
    for action, run in [(ClueAction.CONVERT, lambda: services.convert(clue, actor=world.staff)),
                        (ClueAction.MERGE, lambda: services.merge(clue, actor=world.staff, into=target_clue)),
                        (ClueAction.DECLINE, lambda: services.decline(clue, actor=world.staff, reason="x"))]:
        with pytest.raises(InvalidTransition):
            run()


def test_scope_other_committee_cannot_see_or_act(client, login, make_user, world):
    city_clue = _clue(world)
    district_clue = _clue(world, receiving_org=world.d_npc)
    district_staff = make_user("dstaff", world.d_npc, roles={Role.NPC_STAFF})
    login(district_staff)
    assert client.get(f"/clues/{city_clue.id}").status_code == 404
    assert client.post(f"/clues/{city_clue.id}/decline", data={"reason": "x"}).status_code == 404
    listing = text_of(client.get("/clues/"))
    assert district_clue.tracking_code in listing and city_clue.tracking_code not in listing
    # The city's staff see the district's clue but act only for their own committee.
    with pytest.raises(NotAllowed):
        services.decline(db.session.get(Clue, district_clue.id), actor=world.staff, reason="x")
    # The procuratorate never sees clues.
    client.post("/logout")
    login(world.contact)
    assert client.get(f"/clues/{city_clue.id}").status_code in (403, 404)


def test_list_filters_pagination_and_export(app, client, login, world, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    clues = [_clue(world, title=f"线索{i}", category="minors" if i % 2 else "other") for i in range(5)]
    login(world.staff)
    first = client.get("/clues/")
    assert "下一页" in text_of(first)
    minors = text_of(client.get("/clues/?category=minors"))
    assert "线索1" in minors and "线索2" not in minors
    export = client.get("/clues/export.xlsx?category=other")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.data)).worksheets[0].values)
    assert len(rows) == 1 + 3
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "clue.export")) is not None
    assert len(clues) == 5


def test_stale_version_in_service(app, world):
    clue = _clue(world)
    with pytest.raises(Conflict):
        services.decline(clue, actor=world.staff, reason="理由", expected_version=clue.version + 1)


def test_demo_clues_are_made_once_and_triaged(app):
    from oversight.clues.demo import DEMO_SECRET, load_clues
    from oversight.demo.cli import load_people

    load_people()
    made = load_clues()
    db.session.commit()
    assert made >= 30
    assert load_clues() == 0
    states = {c.state for c in db.session.scalars(sa.select(Clue))}
    assert states == set(ClueState)
    converted = db.session.scalars(sa.select(Clue).where(Clue.state == ClueState.CONVERTED)).all()
    assert all(db.session.get(Referral, c.referral_id).state is State.DRAFT for c in converted)
    clue = db.session.scalar(sa.select(Clue).limit(1))
    assert services.secret_matches(DEMO_SECRET, clue.secret_hash)
    from oversight.audit.services import verify
    assert verify().ok


def test_scale_stage_bulk_inserts_clues_resumably(app, runner, monkeypatch):
    from oversight.audit.services import verify
    from oversight.demo.scale.profiles import PROFILES, Profile

    monkeypatch.setitem(PROFILES, "small", Profile("small", extra_districts=0, deputies=20, referrals=60, years=1,
                                                   chunk=40, clues=450))
    result = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert result.exit_code == 0, result.output
    assert "clues      450/450 (100%)" in result.output
    clues = db.session.scalars(sa.select(Clue)).all()
    assert len(clues) == 450 and len({c.tracking_code for c in clues}) == 450
    assert {c.state for c in clues} >= {ClueState.RECEIVED, ClueState.DECLINED, ClueState.MERGED}
    by_id = {c.id: c for c in clues}
    for c in clues:
        if c.state is ClueState.MERGED:
            other = by_id[c.duplicate_of_id]
            assert other.receiving_org_id == c.receiving_org_id and other.created_at <= c.created_at
        if c.state is ClueState.CONVERTED:
            assert db.session.get(Referral, c.referral_id).sender_org_id == c.receiving_org_id
        if c.station_org_id:
            assert c.station.path.startswith(c.receiving_org.path)
    assert services.secret_matches("SCALE-DEMO-0000", clues[0].secret_hash)
    assert verify().ok
    again = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert again.exit_code == 0 and db.session.scalar(sa.select(sa.func.count()).select_from(Clue)) == 450


def test_merged_sender_follows_the_clue_it_was_merged_into(client, login, world):
    code, secret = _receipt(_submit(client, world))
    clue = db.session.scalar(sa.select(Clue).where(Clue.tracking_code == code))
    target_clue = _clue(world)
    services.merge(clue, actor=world.staff, into=target_clue)
    services.decline(target_clue, actor=world.staff, reason="已由行政机关处理")
    db.session.commit()
    body = text_of(_status(client, code, secret))
    assert "与反映同一问题的其他线索合并处理" in body and "合并后的处理情况：不予采用" in body
    assert target_clue.tracking_code not in body
