"""Storing an upload and recording a download. Nothing here commits.

The kind of a file is decided by its content (magic bytes, and for the ZIP-based formats the members
inside), never by its name: a renamed executable or web page is refused whatever it is called.
Bytes live under `UPLOAD_FOLDER` (the instance folder, outside `static/`) at `ab/cd/<sha256>`, so
the same content is stored once however often it is attached.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from ..audit import services as audit
from ..db import db
from ..errors import NotAllowed, ValidationFailed
from . import permissions
from .models import Attachment

# kind → (Content-Type, file name extension)
KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "ofd": ("application/ofd", ".ofd"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "jpg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
}
EXTENSION_ALIASES = {".jpeg": ".jpg"}
# ZIP-based formats, told apart by the member that makes each what it is.
ZIP_MEMBERS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("OFD.xml", "ofd"))
# A small archive may declare gigabytes of content (a zip bomb); refuse before anything reads it.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_FILENAME = 200
CHUNK = 1024 * 1024


def store(owner, *, actor, upload_name: str, stream: BinaryIO, internal: bool = False) -> Attachment:
    """Check the upload by its content, keep the bytes once under their SHA-256, attach them to
    `owner` (a mapped object, e.g. a Referral) and audit it. Raises ValidationFailed or NotAllowed."""
    if not permissions.can_upload(actor, owner):
        raise NotAllowed(_("您不能为此事项上传附件。"))
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    root = Path(current_app.config["UPLOAD_FOLDER"])
    root.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    temp = Path(temp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(_("文件过大，不能超过 %(size)s", size=_size_text(limit)), field="file")
                digest.update(chunk)
                out.write(chunk)
        kind = sniff(temp)
        if kind is None:
            raise ValidationFailed(_("文件类型不符：只接受 PDF、OFD、DOCX、XLSX、JPG、PNG，且以文件内容为准"), field="file")
        sha256 = digest.hexdigest()
        final = path_for(sha256)
        if final.exists():
            temp.unlink()  # the same content is already stored
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)  # atomic: a reader never sees half a file
    finally:
        temp.unlink(missing_ok=True)
    attachment = Attachment(owner_type=owner.__tablename__, owner_id=owner.id, sha256=sha256, size=size,
                            kind=kind, filename=clean_filename(upload_name, kind), side=actor.side.value,
                            internal=internal, uploaded_by=actor)
    db.session.add(attachment)
    db.session.flush()
    audit.record("attachment.upload", actor=actor, obj=attachment, summary={
        "owner": f"{attachment.owner_type}:{attachment.owner_id}", "filename": attachment.filename,
        "kind": kind, "size": size, "sha256": sha256, "internal": internal})
    return attachment


def record_download(attachment: Attachment, *, actor) -> None:
    """Audit that `actor` downloaded `attachment` (the view has checked `can_download`)."""
    audit.record("attachment.download", actor=actor, obj=attachment, summary={
        "owner": f"{attachment.owner_type}:{attachment.owner_id}", "filename": attachment.filename,
        "sha256": attachment.sha256})


def path_for(sha256: str) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / sha256[:2] / sha256[2:4] / sha256


def content_type(attachment: Attachment) -> str:
    return KINDS[attachment.kind][0]


def sniff(path: Path) -> str | None:
    """The kind of the file at `path` judged by its content, or None if it is none we accept."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    return None


def _zip_kind(path: Path) -> str | None:
    # Only the central directory is read: nothing is extracted or decompressed.
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        return None
    names = {m.filename for m in members}
    return next((kind for member, kind in ZIP_MEMBERS if member in names), None)


def clean_filename(name: str | None, kind: str) -> str:
    """The uploaded name without any path, control or reserved characters, at most 200 characters,
    ending in the extension of what the content really is (a PNG sent as "scan.pdf" is "scan.png")."""
    name = re.split(r"[\\/]", name or "")[-1]
    # Control and format characters go too: a right-to-left override can make "exe.pdf" read as
    # "fdp.exe" in a list.
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C") and c not in '<>:"|?*')
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, ext = os.path.splitext(name)
    wanted = KINDS[kind][1]
    # Keep the user's spelling of a right extension (.JPG, .jpeg); replace a wrong or missing one.
    suffix = ext if EXTENSION_ALIASES.get(ext.lower(), ext.lower()) == wanted else wanted
    stem = stem.strip(" .") or _("附件")
    return stem[: MAX_FILENAME - len(suffix)].rstrip(" .") + suffix


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{n / 1024:g} KB" if n >= 1024 else f"{n} B"
