"""Attachments: kinds judged by content, storage by hash outside the web root, permissions, audit."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import render_template_string

from oversight.accounts.models import Role
from oversight.attachments import queries, services
from oversight.attachments.models import Attachment
from oversight.audit.models import AuditEntry
from oversight.db import commit, db
from oversight.errors import NotAllowed, ValidationFailed
from oversight.orgs.models import OrgKind
from oversight.referrals import services as referral_services
from oversight.referrals.models import ReferralType

TYPE_MESSAGE = "文件类型不符：只接受 PDF、OFD、DOCX、XLSX、JPG、PNG，且以文件内容为准"


# --- tiny real files ------------------------------------------------------------------------------

def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def zipped(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in members:  # a fixed date: the same call gives the same bytes, second after second
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                             f"<?xml version='1.0'?><root name='{name}'/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx() -> bytes:
    return zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml")


def xlsx() -> bytes:
    return zipped("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")


def ofd() -> bytes:
    return zipped("OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_0/Content.xml")


def zip_bomb() -> bytes:
    """A small archive whose central directory declares ~4 GB of content."""
    data = bytearray(docx())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 24:at + 28] = struct.pack("<I", 0xFFFF_FFF0)  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


# --- fixtures ----------------------------------------------------------------------------------------

@pytest.fixture
def referral(world):
    rtype = db.session.scalar(sa.select(ReferralType).where(ReferralType.code == "inspection_finding"))
    r = referral_services.create_referral(actor=world.staff, rtype=rtype, receiver=world.proc, title="某问题",
                                          body="情况说明")
    referral_services.send(r, actor=world.staff)
    commit()
    return r


def upload(owner, actor, data: bytes, name: str = "材料.pdf", internal: bool = False) -> Attachment:
    attachment = services.store(owner, actor=actor, upload_name=name, stream=io.BytesIO(data), internal=internal)
    commit()
    return attachment


# --- kinds -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("build, name, kind", [
    (pdf, "报告.pdf", "pdf"), (png, "现场照片.png", "png"), (jpeg, "IMG_0001.JPG", "jpg"),
    (docx, "情况说明.docx", "docx"), (xlsx, "统计表.xlsx", "xlsx"), (ofd, "公文.ofd", "ofd"),
])
def test_each_accepted_kind_is_recognised_by_content(referral, world, build, name, kind):
    attachment = upload(referral, world.staff, build(), name)
    assert (attachment.kind, attachment.filename, attachment.size) == (kind, name, len(build()))
    assert attachment.owner_type == "referrals" and attachment.owner_id == referral.id
    assert attachment.side == "npc" and attachment.uploaded_by_id == world.staff.id


def test_the_name_never_decides_the_kind(referral, world):
    assert upload(referral, world.staff, png(), "扫描件.pdf").filename == "扫描件.png"
    assert upload(referral, world.staff, pdf(), "no-extension").filename == "no-extension.pdf"


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "报告.pdf"),       # an .exe
    (b"<!doctype html><script>alert(1)</script>", "报告.pdf"),                             # a web page
    (zipped("readme.txt", "data/word.xml"), "情况说明.docx"),                               # a zip, no word/
    (zipped("Doc_0/OFD.xml"), "公文.ofd"),                                                  # OFD.xml not at the root
    (b"PK\x03\x04" + b"\x00" * 40, "坏文件.xlsx"),                                          # does not open as a zip
    (zip_bomb(), "炸弹.docx"),                                                             # declares > 200 MB
    (b"", "空文件.pdf"),
])
def test_disguised_or_unknown_files_are_refused(referral, world, data, name):
    with pytest.raises(ValidationFailed) as exc:
        services.store(referral, actor=world.staff, upload_name=name, stream=io.BytesIO(data))
    assert exc.value.message == TYPE_MESSAGE
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


def test_too_large_is_refused_before_it_is_stored(referral, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 100)
    with pytest.raises(ValidationFailed) as exc:
        services.store(referral, actor=world.staff, upload_name="大.pdf", stream=io.BytesIO(pdf() + b" " * 100))
    assert exc.value.message == "文件过大，不能超过 100 B"
    assert not list(Path(app.config["UPLOAD_FOLDER"]).glob(".upload-*"))
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 15 * 1024 * 1024)
    with pytest.raises(ValidationFailed, match="文件过大，不能超过 15 MB"):
        services.store(referral, actor=world.staff, upload_name="大.pdf",
                       stream=io.BytesIO(pdf() + b"\0" * (15 * 1024 * 1024)))


def test_stored_outside_the_web_root_under_its_hash_and_only_once(referral, world, app):
    import hashlib

    data = pdf() + b"% unique to this test\n"
    first = upload(referral, world.staff, data, "一.pdf")
    second = upload(referral, world.contact, data, "二.pdf")
    sha = hashlib.sha256(data).hexdigest()
    path = Path(app.config["UPLOAD_FOLDER"]) / sha[:2] / sha[2:4] / sha
    assert first.sha256 == second.sha256 == sha and first.id != second.id
    assert path.read_bytes() == data and services.path_for(sha) == path
    assert list(path.parent.iterdir()) == [path]  # stored once
    assert not path.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert not list(Path(app.config["UPLOAD_FOLDER"]).glob(".upload-*"))  # no temporary files left


def test_filenames_are_cleaned():
    assert services.clean_filename("../../etc/passwd.pdf", "pdf") == "passwd.pdf"
    assert services.clean_filename("C:\\Users\\李\\报告 (终稿).PDF", "pdf") == "报告 (终稿).PDF"
    assert services.clean_filename("invoice\u202efdp.exe", "pdf") == "invoicefdp.pdf"
    assert services.clean_filename("  ..  ", "png") == "附件.png"
    long = services.clean_filename("长" * 300 + ".docx", "docx")
    assert len(long) == 200 and long.endswith(".docx")


def test_upload_is_audited_and_needs_a_party(referral, world, make_org, make_user):
    attachment = upload(referral, world.contact, pdf(), "回执.pdf")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "attachment.upload"))
    assert entry.object_id == str(attachment.id) and entry.actor_id == world.contact.id
    assert attachment.sha256 in entry.summary
    other = make_org("X-P", "外地检察院", kind=OrgKind.PROCURATORATE)
    outsider = make_user("outsider", other, roles={Role.PROCURATORATE_CONTACT})
    with pytest.raises(NotAllowed):
        services.store(referral, actor=outsider, upload_name="a.pdf", stream=io.BytesIO(pdf()))


# --- who sees what -------------------------------------------------------------------------------------

def test_internal_attachment_is_invisible_to_the_other_side(referral, world, make_user, client, login):
    shared = upload(referral, world.staff, pdf(), "函.pdf")
    internal = upload(referral, world.staff, png(), "内部研究.png", internal=True)
    colleague = make_user("colleague", world.body, roles={Role.NPC_STAFF})
    assert queries.for_owner(colleague, "referrals", referral.id) == [shared, internal]
    assert queries.for_owner(world.contact, "referrals", referral.id) == [shared]
    login(world.contact)
    assert client.get(f"/attachments/{internal.id}").status_code == 404
    with client.get(f"/attachments/{shared.id}") as response:  # closing it closes the file
        assert response.status_code == 200


def test_unrelated_organisation_gets_404(referral, world, make_org, make_user, client, login):
    attachment = upload(referral, world.staff, pdf())
    other = make_org("X-P", "外地检察院", kind=OrgKind.PROCURATORATE)
    outsider = make_user("outsider", other, roles={Role.PROCURATORATE_CONTACT})
    assert queries.for_owner(outsider, "referrals", referral.id) == []
    login(outsider)
    assert client.get(f"/attachments/{attachment.id}").status_code == 404
    assert client.get("/attachments/999999").status_code == 404
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "attachment.download")) is None


def test_download_sends_the_file_safely_and_is_audited(referral, world, client, login):
    attachment = upload(referral, world.staff, docx(), "情况说明.docx")
    login(world.contact)
    with client.get(f"/attachments/{attachment.id}") as response:
        assert response.status_code == 200 and response.data == docx()
    assert response.headers["Content-Type"] == KIND_TYPES["docx"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%83%85%E5%86%B5%E8%AF%B4%E6%98%8E.docx" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "attachment.download"))
    assert entry.actor_id == world.contact.id and entry.object_id == str(attachment.id)


KIND_TYPES = {kind: mime for kind, (mime, _ext) in services.KINDS.items()}


# --- the upload view and the partial -------------------------------------------------------------------

def test_upload_view(referral, world, make_org, make_user, client, login):
    login(world.contact)
    response = client.post(f"/referrals/{referral.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(jpeg()), "照片.jpg"), "internal": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/referrals/{referral.id}")
    attachment = db.session.scalar(sa.select(Attachment))
    assert (attachment.kind, attachment.internal, attachment.side) == ("jpg", True, "procuratorate")

    response = client.post(f"/referrals/{referral.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"<html></html>"), "伪装.pdf")})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert TYPE_MESSAGE in str(session["_flashes"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 1

    client.post("/logout")
    other = make_org("X-P", "外地检察院", kind=OrgKind.PROCURATORATE)
    login(make_user("outsider", other, roles={Role.PROCURATORATE_CONTACT}))
    response = client.post(f"/referrals/{referral.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf()), "a.pdf")})
    assert response.status_code == 404


def test_no_uploads_on_archived_referrals(world, client, login):
    rtype = db.session.scalar(sa.select(ReferralType).where(ReferralType.code == "inspection_finding"))
    r = referral_services.create_referral(actor=world.staff, rtype=rtype, receiver=world.proc, title="草稿", body="内容")
    referral_services.withdraw(r, actor=world.staff)
    referral_services.archive(r, actor=world.staff)
    commit()
    with pytest.raises(NotAllowed):
        services.store(r, actor=world.staff, upload_name="a.pdf", stream=io.BytesIO(pdf()))
    login(world.staff)
    response = client.post(f"/referrals/{r.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf()), "a.pdf")})
    assert response.status_code == 403


def test_list_partial(referral, world, app):
    attachment = upload(referral, world.staff, pdf(), "函.pdf")
    with app.test_request_context():
        html = render_template_string('{% include "attachments/_list.html" %}',
                                      attachments=[attachment], upload_url="/referrals/1/attachments")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    shanghai = attachment.uploaded_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert "函.pdf" in text and "PDF" in text and world.staff.display_name in text and shanghai in text
    assert '<label for="attachment-file">附件</label>' in html and 'type="file"' in html
    assert 'action="/referrals/1/attachments"' in html and "不超过 15 MB" in text
    with app.test_request_context():
        html = render_template_string('{% include "attachments/_list.html" %}', attachments=[], upload_url=None)
    assert "暂无附件" in html and "<form" not in html
