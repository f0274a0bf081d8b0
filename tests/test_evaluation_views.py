"""Evaluation pages: the staff's campaign pages (scoped to the organising institution), the printable
invitation list (HTML and PDF), and the public pages: a token link, its reuse, forged and closed
tokens, the per-address limit on wrong tokens, and the results page published only at the end."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.db import db, utcnow
from reports.evaluation import services
from reports.evaluation.models import Campaign, EvaluationInvitation, EvaluationResponse
from reports.evaluation.workflow import InvitationState, State
from tests.conftest import text_of
from tests.evaluation_fixtures import new_campaign, pubs  # noqa: F401

LOCAL = "%Y-%m-%dT%H:%M"


def _local(moment: dt.datetime) -> str:
    return (moment + dt.timedelta(hours=8)).strftime(LOCAL)


def _tokens(html: str) -> list[str]:
    return re.findall(r"/public/evaluation/([0-9A-Z]{16})", html)


def test_staff_create_generate_print_and_run(client, login, world, pubs):
    login(world.staff)
    assert "群众评议" in text_of(client.get("/evaluation/"))
    form = client.get("/evaluation/new")
    assert pubs[0].title in text_of(form)
    now = utcnow()
    response = client.post("/evaluation/new", data={
        "title": "上半年群众评议", "description": "说明", "opens_at": _local(now - dt.timedelta(minutes=5)),
        "closes_at": _local(now + dt.timedelta(days=3)), "items": [str(pubs[0].id), str(pubs[2].id)]})
    assert response.status_code == 302, text_of(response)
    campaign = db.session.scalar(sa.select(Campaign))
    assert [i.publication_id for i in campaign.items] == [pubs[0].id, pubs[2].id]
    page = client.post(f"/evaluation/{campaign.id}/invitations", data={"count": "3", "labels": "王五\n赵六",
                                                                          "output": "html"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    found = _tokens(html)
    assert len(set(found)) == 3 and "王五" in html and "群众评议邀请函" in html
    pdf = client.post(f"/evaluation/{campaign.id}/invitations", data={"count": "2", "output": "pdf"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationInvitation)) == 5
    detail = text_of(client.get(f"/evaluation/{campaign.id}"))
    assert "王五" in detail and not any(t in detail for t in found)  # tokens are never shown again
    assert client.post(f"/evaluation/{campaign.id}/open", data={"version": campaign.version}).status_code == 302
    db.session.refresh(campaign)
    assert campaign.state is State.OPEN
    invitation = db.session.scalar(sa.select(EvaluationInvitation).where(EvaluationInvitation.number == 5))
    assert client.post(f"/evaluation/{campaign.id}/invitations/{invitation.id}/revoke").status_code == 302
    db.session.refresh(invitation)
    assert invitation.state is InvitationState.REVOKED


def test_bad_campaign_form_is_rerendered_with_messages(client, login, world, pubs):
    login(world.staff)
    now = utcnow()
    response = client.post("/evaluation/new", data={
        "title": "x", "opens_at": _local(now + dt.timedelta(days=2)), "closes_at": _local(now + dt.timedelta(days=1))})
    assert response.status_code == 422
    text = text_of(response)
    assert "结束时间必须晚于开始时间" in text and "请至少选择一项已公开的事项" in text


def test_other_npc_body_and_procuratorate_cannot_manage(client, login, world, pubs, make_user):
    campaign = new_campaign(world.staff, pubs)
    other = make_user("d.staff", world.d_npc, roles={Role.NPC_STAFF})
    login(other)
    assert client.get(f"/evaluation/{campaign.id}").status_code == 404
    assert client.post(f"/evaluation/{campaign.id}/open").status_code == 404
    assert client.post(f"/evaluation/{campaign.id}/invitations", data={"count": "1"}).status_code == 404
    client.post("/logout")
    login(world.contact)
    assert client.get("/evaluation/").status_code == 403
    assert client.get(f"/evaluation/{campaign.id}").status_code == 403
    db.session.refresh(campaign)
    assert campaign.state is State.DRAFT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationInvitation)) == 0


def test_reviewer_sees_but_cannot_run(client, login, world, pubs, make_user):
    campaign = new_campaign(world.staff, pubs)
    reviewer = make_user("reviewer", world.body, roles={Role.NPC_REVIEWER})
    login(reviewer)
    assert campaign.title in text_of(client.get(f"/evaluation/{campaign.id}"))
    assert client.post(f"/evaluation/{campaign.id}/open").status_code == 403
    assert client.get("/evaluation/new").status_code == 403


def _open_with_tokens(world, pubs, count=2):
    campaign = new_campaign(world.staff, pubs)
    issued = services.generate_invitations(campaign, actor=world.staff, count=count, labels=["敏感受邀人甲"])
    services.open_campaign(campaign, actor=world.staff)
    db.session.commit()
    return campaign, issued


def _ratings(campaign, value="satisfied", comment=""):
    data = {f"rating-{i.id}": value for i in campaign.items}
    data.update({f"comment-{i.id}": comment for i in campaign.items})
    return data


def test_public_rating_reuse_forgery_and_closed(client, world, pubs):
    campaign, issued = _open_with_tokens(world, pubs, count=3)
    link = f"/public/evaluation/{issued[0].token}"
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers and "Set-Cookie" not in client.get("/public/evaluation/").headers
    text = text_of(page)
    assert all(p.title in text and p.summary in text for p in pubs)
    assert f"/public/p/{pubs[0].id}" in page.get_data(as_text=True)
    assert "敏感受邀人甲" not in text
    # a missing rating: nothing saved, the form comes back with the message and the token stays usable
    partial = _ratings(campaign)
    partial.pop(f"rating-{campaign.items[1].id}")
    response = client.post(link, data=partial)
    assert response.status_code == 422 and "请为" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 0
    response = client.post(link, data=_ratings(campaign, "basically", "私人意见电话13800138000"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/public/evaluation/thanks")
    assert "Set-Cookie" not in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == len(campaign.items)
    again = client.get(link)
    assert again.status_code == 409 and "只能使用一次" in text_of(again)
    assert client.post(link, data=_ratings(campaign)).status_code == 409
    unknown = client.get("/public/evaluation/" + "Z" * 16)
    forged = client.get(f"/public/evaluation/{issued[1].token[:-1]}{'0' if issued[1].token[-1] != '0' else '1'}")
    garbage = client.get("/public/evaluation/hello")
    assert unknown.status_code == forged.status_code == garbage.status_code == 404
    assert text_of(unknown) == text_of(forged) == text_of(garbage)
    # the code typed on the entry page, with dashes and lower case
    typed = client.post("/public/evaluation/", data={"code": issued[1].code.lower()})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(issued[1].token)
    services.close_campaign(db.session.get(Campaign, campaign.id), actor=world.staff)
    db.session.commit()
    closed = client.get(f"/public/evaluation/{issued[2].token}")
    assert closed.status_code == 410 and "已经结束" in text_of(closed)


def test_wrong_tokens_are_limited_per_address(client, world, pubs):
    campaign, issued = _open_with_tokens(world, pubs)
    for n in range(services.MAX_FAILURES):
        assert client.get(f"/public/evaluation/{'X' * 15}{n % 10}").status_code == 404
    blocked = client.get(f"/public/evaluation/{issued[0].token}")
    assert blocked.status_code == 429 and "次数过多" in text_of(blocked)
    other = client.get(f"/public/evaluation/{issued[0].token}", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 200


def test_results_public_only_once_published(client, login, world, pubs):
    campaign, issued = _open_with_tokens(world, pubs, count=4)
    for one, value in zip(issued[:3], ["satisfied", "basically", "dissatisfied"]):
        assert client.post(f"/public/evaluation/{one.token}", data=_ratings(campaign, value, "仅供内部的意见原文")).status_code == 302
    url = f"/public/evaluation/results/{campaign.id}"
    assert client.get(url).status_code == 404
    login(world.staff)
    staff_view = text_of(client.get(f"/evaluation/{campaign.id}"))
    assert "66.7%" in staff_view and "仅供内部的意见原文" in staff_view  # visible to staff while open
    client.post(f"/evaluation/{campaign.id}/close")
    client.post("/logout")
    assert client.get(url).status_code == 404
    login(world.staff)
    client.post(f"/evaluation/{campaign.id}/publish")
    client.post("/logout")
    page = client.get(url)
    assert page.status_code == 200
    text = text_of(page)
    # 1 满意, 1 基本满意, 1 不满意 of 3 → satisfaction 66.7 %, 满意 alone 33.3 %; 3 of 4 took part → 75.0 %
    assert "66.7%" in text and "33.3%" in text and "75.0%" in text
    assert "仅供内部的意见原文" not in text and "敏感受邀人甲" not in text
    assert campaign.title in text_of(client.get("/public/evaluation/results/"))


def test_emergency_lock_takes_the_evaluation_offline(client, login, world, pubs, make_user):
    from oversight import lockdown

    campaign, issued = _open_with_tokens(world, pubs)
    security = make_user("security", world.body, roles={Role.SECURITY_ADMIN})
    lockdown.switch(actor=security, active=True, notice="系统维护中")
    db.session.commit()
    for url in (f"/public/evaluation/{issued[0].token}", "/public/evaluation/",
                f"/public/evaluation/results/{campaign.id}"):
        assert client.get(url).status_code == 503
    assert client.post(f"/public/evaluation/{issued[0].token}", data=_ratings(campaign)).status_code == 503
    login(world.staff)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationInvitation))
    assert client.post(f"/evaluation/{campaign.id}/invitations", data={"count": "1", "output": "pdf"}).status_code == 503
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationInvitation)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationResponse)) == 0


def test_sensitive_and_internal_fields_never_reach_the_public_pages(client, world, pubs):
    """Invitation labels and invitee names (敏感), comments (内部) and the addresses of wrong guesses are
    marked with unique strings; no public evaluation page shows any of them."""
    campaign, issued = _open_with_tokens(world, pubs, count=3)
    markers = {"label": "QZLABEL7301X", "invitee": "QZINVITEE7302X", "comment": "QZCOMMENT7303X"}
    for one in issued:
        row = db.session.get(EvaluationInvitation, one.invitation.id)
        row.label, row.invitee_name = markers["label"], markers["invitee"]
    db.session.commit()
    assert client.post(f"/public/evaluation/{issued[0].token}",
                       data=_ratings(campaign, "satisfied", markers["comment"])).status_code == 302
    client.get("/public/evaluation/" + "Y" * 16)  # a wrong guess is stored with its address
    pages = [f"/public/evaluation/{issued[1].token}", "/public/evaluation/", "/public/evaluation/thanks",
             f"/public/evaluation/{issued[0].token}"]
    services.close_campaign(db.session.get(Campaign, campaign.id), actor=world.staff)
    services.publish_results(db.session.get(Campaign, campaign.id), actor=world.staff)
    db.session.commit()
    pages += ["/public/evaluation/results/", f"/public/evaluation/results/{campaign.id}",
              f"/public/evaluation/{issued[2].token}"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert not any(m in html for m in markers.values()), url
        assert "127.0.0.1" not in html


def test_edit_a_draft_and_refuse_a_stale_version(client, login, world, pubs):
    campaign = new_campaign(world.staff, pubs[:1])
    login(world.staff)
    form = client.get(f"/evaluation/{campaign.id}/edit")
    assert form.status_code == 200 and f'value="{campaign.title}"' in form.get_data(as_text=True)
    data = {"title": "改名后的评议", "description": "", "opens_at": _local(campaign.opens_at),
            "closes_at": _local(campaign.closes_at), "items": [str(pubs[1].id), str(pubs[0].id)],
            "version": str(campaign.version)}
    assert client.post(f"/evaluation/{campaign.id}/edit", data=data).status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "改名后的评议" and [i.publication_id for i in campaign.items] == [pubs[1].id, pubs[0].id]
    stale = client.post(f"/evaluation/{campaign.id}/edit", data={**data, "title": "又改了", "version": "1"})
    assert stale.status_code == 409 and "已被他人修改" in text_of(stale)
    db.session.refresh(campaign)
    assert campaign.title == "改名后的评议"
    client.post(f"/evaluation/{campaign.id}/cancel", data={"reason": "", "version": campaign.version})
    db.session.refresh(campaign)
    assert campaign.state is State.DRAFT  # no reason, no cancelling
    client.post(f"/evaluation/{campaign.id}/cancel", data={"reason": "计划调整", "version": campaign.version})
    db.session.refresh(campaign)
    assert campaign.state is State.CANCELLED and client.get(f"/evaluation/{campaign.id}/edit").status_code == 409
