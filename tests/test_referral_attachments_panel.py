"""The attachments panel of the referral detail page: result attachments sent with the reply,
attachments added to the item, the list each side sees, and the permission-checked download."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.attachments.models import Attachment
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.referrals import services
from oversight.referrals.models import Referral, ReferralType
from oversight.referrals.workflow import Outcome, State

from .test_attachments import pdf, png


def rtype(code: str) -> ReferralType:
    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == code))


@pytest.fixture
def people(world, make_user):
    return SimpleNamespace(staff=world.staff, contact=world.contact,
                           handler=make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER}))


@pytest.fixture
def in_progress(world, people) -> Referral:
    r = services.create_referral(actor=world.staff, rtype=rtype("inspection_finding"), receiver=world.proc,
                                 title="某问题", body="情况说明")
    services.send(r, actor=world.staff)
    services.acknowledge(r, actor=world.contact)
    services.accept(r, actor=world.contact, procedural_reply="已受理")
    services.assign(r, actor=world.contact, department=world.dept, handler=people.handler)
    commit()
    return r


def reply_data(r: Referral, **extra) -> dict:
    db.session.refresh(r)
    return {"reply-version": r.version, "reply-outcome": Outcome.RESOLVED.value, "reply-text": "已整改到位", **extra}


def test_handler_replies_with_result_attachments_and_the_sender_downloads_them(in_progress, people, client, login):
    login(people.handler)
    page = client.get(f"/referrals/{in_progress.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="reply-attachments"' in page
    data = reply_data(in_progress, **{"reply-attachments": [(io.BytesIO(pdf()), "整改报告.pdf"),
                                                           (io.BytesIO(png()), "现场照片.png")]})
    response = client.post(f"/referrals/{in_progress.id}/reply", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(in_progress)
    assert in_progress.state is State.REPLIED
    files = db.session.scalars(sa.select(Attachment).where(Attachment.owner_id == in_progress.id)
                               .order_by(Attachment.id)).all()
    assert [(a.filename, a.side, a.internal) for a in files] == [
        ("整改报告.pdf", "procuratorate", False), ("现场照片.png", "procuratorate", False)]
    assert "整改报告.pdf" in in_progress.events[-1].note

    client.post("/logout")
    login(people.staff)
    page = client.get(f"/referrals/{in_progress.id}").get_data(as_text=True)
    assert "整改报告.pdf" in page and f'href="/attachments/{files[0].id}"' in page
    with client.get(f"/attachments/{files[0].id}") as download:
        assert download.status_code == 200 and download.data == pdf()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "attachment.download")) == 1


def test_a_disguised_file_with_the_reply_saves_nothing(in_progress, people, client, login):
    login(people.handler)
    data = reply_data(in_progress, **{"reply-attachments": [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "结果.pdf")]})
    response = client.post(f"/referrals/{in_progress.id}/reply", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "文件类型不符" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Referral, in_progress.id).state is State.IN_PROGRESS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


def test_a_reply_without_files_still_works(in_progress, people, client, login):
    login(people.handler)
    data = reply_data(in_progress, **{"reply-attachments": [(io.BytesIO(b""), "")]})  # the browser's empty part
    response = client.post(f"/referrals/{in_progress.id}/reply", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(in_progress)
    assert in_progress.state is State.REPLIED


def test_item_attachments_and_internal_ones_stay_on_their_side(in_progress, people, client, login):
    login(people.staff)
    page = client.get(f"/referrals/{in_progress.id}").get_data(as_text=True)
    assert f'action="/referrals/{in_progress.id}/attachments"' in page
    for name, internal in (("补充材料.pdf", False), ("内部研究.png", True)):
        body = {"file": (io.BytesIO(pdf() if name.endswith("pdf") else png()), name)}
        if internal:
            body["internal"] = "y"
        assert client.post(f"/referrals/{in_progress.id}/attachments", data=body,
                           content_type="multipart/form-data").status_code == 302
    page = client.get(f"/referrals/{in_progress.id}").get_data(as_text=True)
    assert "补充材料.pdf" in page and "内部研究.png" in page
    internal = db.session.scalar(sa.select(Attachment).where(Attachment.internal.is_(True)))

    client.post("/logout")
    login(people.contact)
    page = client.get(f"/referrals/{in_progress.id}").get_data(as_text=True)
    assert "补充材料.pdf" in page and "内部研究.png" not in page
    assert client.get(f"/attachments/{internal.id}").status_code == 404


def test_a_too_large_item_attachment_is_refused_in_chinese(in_progress, people, client, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)  # the app outlives the test
    login(people.staff)
    body = {"file": (io.BytesIO(pdf() + b"0" * 2048), "大文件.pdf")}
    response = client.post(f"/referrals/{in_progress.id}/attachments", data=body, content_type="multipart/form-data",
                           follow_redirects=True)
    assert "文件过大" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
