"""Every change to a clue: a public submission, a status look-up (counted), and the three triage
actions. Each checks the workflow and the actor, changes state, writes the audit chain, tells people
and flushes. Nothing here commits: the view commits, then (and only then) shows the tracking code.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import Role
from ..attachments import services as attachment_services
from ..attachments.models import Attachment
from ..audit import services as audit
from ..db import db, utcnow
from ..errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from ..notifications.services import notify
from ..orgs.models import Organisation, OrgKind
from ..orgs.permissions import institution_of
from ..referrals import services as referral_services
from ..referrals.models import Classification, Referral, ReferralType
from ..referrals.workflow import Direction
from . import categories, labels, permissions, protection, similarity
from .models import Clue
from .workflow import ClueAction, ClueSource, ClueState, target

MAX_TITLE, MAX_PLACE, MAX_TEXT, MAX_REASON = 100, 100, 5000, 1000
MAX_FILES = 5
DEFAULT_CLUE_FILE_BYTES = 10 * 1024 * 1024
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # no 0/O, 1/I/L: read aloud and typed by hand
SIMILAR_WINDOW_DAYS = 90
SIMILAR_CANDIDATES = 300
DEFAULT_REFERRAL_TYPE = "supervision_lead"


# --- codes and secrets --------------------------------------------------------------------------

def _random(n: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(n))


def new_tracking_code(now: dt.datetime | None = None) -> str:
    year = (now or utcnow()).year
    while True:
        code = f"XS{year}-{_random(8)}"
        if db.session.scalar(sa.select(Clue.id).where(Clue.tracking_code == code)) is None:
            return code


def new_secret() -> str:
    raw = _random(12)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_secret(secret: str | None) -> str:
    return "".join(c for c in (secret or "").upper() if c.isalnum())


def hash_secret(secret: str, *, salt: str | None = None) -> str:
    """A salted SHA-256 of the normalised secret (60 random bits, so a fast hash is enough; look-ups
    are rate limited besides)."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{normalise_secret(secret)}".encode()).hexdigest()
    return f"s256${salt}${digest}"


def secret_matches(secret: str | None, stored: str) -> bool:
    try:
        _scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_secret(secret or "", salt=salt).split("$")[2], digest)


# --- where a clue goes ----------------------------------------------------------------------------

def station_by_code(code: str | None) -> Organisation | None:
    if not code:
        return None
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
    if org is None or org.kind is not OrgKind.LIAISON_STATION or not org.active:
        return None
    return org


def receiving_committees() -> list[Organisation]:
    """The active NPC standing committees a member of the public may address, top level first."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.NPC_COMMITTEE, Organisation.active.is_(True))
        .order_by(sa.func.length(Organisation.path), Organisation.code)))


# --- the public submission ------------------------------------------------------------------------

def _text(value: str | None, field: str, *, required: str | None, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value and required:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("不能超过 %(n)d 个字符。", n=limit)
    return value


def submit(*, client_key: str, challenge_token: str | None, challenge_answer: str | None, category: str,
           title: str, description: str, place: str = "", contact_name: str = "", contact_phone: str = "",
           contact_email: str = "", files: list[tuple[str, BinaryIO]] = (), station: Organisation | None = None,
           receiving_org: Organisation | None = None) -> tuple[Clue, str]:
    """Store a clue from the public (or a liaison station's entry) and return it with its secret.

    The order matters: the address's rate limit first, then the challenge (spent in this transaction),
    then the fields and the files. The caller commits, and only then shows the code and the secret."""
    protection.check_rate("submit", client_key)
    protection.spend_challenge(challenge_token, challenge_answer)
    errors: dict[str, str] = {}
    if category not in categories.CATEGORIES:
        errors["category"] = _("请选择线索类别。")
    title = _text(title, "title", required=_("请填写标题。"), limit=MAX_TITLE, errors=errors)
    description = _text(description, "description", required=_("请填写线索内容。"), limit=MAX_TEXT, errors=errors)
    place = _text(place, "place", required=None, limit=MAX_PLACE, errors=errors)
    contact_name = _text(contact_name, "contact_name", required=None, limit=60, errors=errors)
    contact_phone = _text(contact_phone, "contact_phone", required=None, limit=40, errors=errors)
    contact_email = _text(contact_email, "contact_email", required=None, limit=120, errors=errors)
    if contact_phone and not all(c.isdigit() or c in "+-() " for c in contact_phone):
        errors["contact_phone"] = _("联系电话只能包含数字、空格和 + - ( )。")
    if contact_email and ("@" not in contact_email or " " in contact_email):
        errors["contact_email"] = _("电子邮箱格式不正确。")
    files = [(name, stream) for name, stream in files if name]
    if len(files) > MAX_FILES:
        errors["files"] = _("最多上传 %(n)d 个附件。", n=MAX_FILES)
    if station is not None:
        receiving_org = institution_of(station)
    if receiving_org is None or receiving_org.kind is not OrgKind.NPC_COMMITTEE or not receiving_org.active:
        errors["receiving_org"] = _("请选择受理线索的人大常委会。")
    if errors:
        raise ValidationFailed(errors)
    secret = new_secret()
    clue = Clue(tracking_code=new_tracking_code(), secret_hash=hash_secret(secret),
                source=ClueSource.STATION if station is not None else ClueSource.PUBLIC, station=station,
                category=category, title=title, description=description, place=place,
                contact_name=contact_name or None, contact_phone=contact_phone or None,
                contact_email=contact_email or None, receiving_org=receiving_org, state=ClueState.RECEIVED)
    db.session.add(clue)
    db.session.flush()
    for name, stream in files:
        store_public_file(clue, upload_name=name, stream=stream)
    protection.count("submit", client_key)
    # The audit keeps what happened, not what was said: no text, no contact details.
    audit.record("clue.submit", actor=None, actor_label=_audit_label(clue), obj=clue,
                 organisation_id=receiving_org.id, summary={
                     "code": clue.tracking_code, "category": category, "source": clue.source.value,
                     "station": station.code if station is not None else None, "files": len(files),
                     "has_contact": clue.has_contact})
    _tell_staff(clue)
    return clue, secret


def _audit_label(clue: Clue) -> str:
    return "公众（代表联络站入口）" if clue.source is ClueSource.STATION else "公众"


def _tell_staff(clue: Clue) -> None:
    title = _("新线索 %(code)s：%(title)s", code=clue.tracking_code, title=clue.title)
    body = _("%(org)s收到一条新线索（%(cat)s），请及时分办。", org=clue.receiving_org.name,
             cat=categories.label(clue.category))
    for user in referral_services.recipients(clue.receiving_org, Role.NPC_STAFF):
        notify(user, kind="clue.new", title=title, body=body, link=f"/clues/{clue.id}")


def _max_file_bytes() -> int:
    return int(current_app.config.get("CLUE_ATTACHMENT_MAX_BYTES") or DEFAULT_CLUE_FILE_BYTES)


def store_public_file(clue: Clue, *, upload_name: str, stream: BinaryIO) -> Attachment:
    """Keep one of the sender's files. Stricter than staff uploads: the content must be what the name
    says (a renamed file — "disguised" — is refused, not silently renamed), and the size is capped."""
    ext = os.path.splitext(upload_name or "")[1].lower()
    ext = attachment_services.EXTENSION_ALIASES.get(ext, ext)
    by_ext = {suffix: kind for kind, (_ctype, suffix) in attachment_services.KINDS.items()}
    if ext not in by_ext:
        raise ValidationFailed(_("附件“%(name)s”的类型不受支持：只接受 PDF、OFD、DOCX、XLSX、JPG、PNG 文件。",
                                 name=upload_name), field="files")
    limit = _max_file_bytes()
    root = Path(current_app.config["UPLOAD_FOLDER"])
    root.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=root, prefix=".clue-")
    temp = Path(temp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(attachment_services.CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(_("附件“%(name)s”过大：每个附件不能超过 %(size)s。",
                                             name=upload_name, size=attachment_services._size_text(limit)),
                                           field="files")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed(_("附件“%(name)s”是空文件。", name=upload_name), field="files")
        kind = attachment_services.sniff(temp)
        if kind != by_ext[ext]:
            raise ValidationFailed(_("附件“%(name)s”的内容与其扩展名不符（文件可能被改名伪装），已拒绝。"
                                     "请上传真实的 PDF、OFD、DOCX、XLSX、JPG 或 PNG 文件。", name=upload_name),
                                   field="files")
        sha256 = digest.hexdigest()
        final = attachment_services.path_for(sha256)
        if final.exists():
            temp.unlink()
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    attachment = Attachment(owner_type=Clue.__tablename__, owner_id=clue.id, sha256=sha256, size=size, kind=kind,
                            filename=attachment_services.clean_filename(upload_name, kind), side="npc",
                            internal=False, uploaded_by=None)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def attachments_of(clue: Clue) -> list[Attachment]:
    return list(db.session.scalars(sa.select(Attachment).where(
        Attachment.owner_type == Clue.__tablename__, Attachment.owner_id == clue.id).order_by(Attachment.id)))


# --- the sender's status look-up ------------------------------------------------------------------

_UNKNOWN = "s256$0000000000000000$" + "0" * 64


def lookup(*, client_key: str, code: str | None, secret: str | None) -> Clue:
    """The clue whose code and secret match. Every try counts against the address (the caller commits
    whatever happens); a wrong code and a wrong secret give one and the same answer."""
    protection.check_rate("status", client_key)
    protection.count("status", client_key)
    code = (code or "").strip().upper()
    clue = db.session.scalar(sa.select(Clue).where(Clue.tracking_code == code)) if code else None
    # An unknown code costs the same hash as a known one: timing does not tell which codes exist.
    if not secret_matches(secret, clue.secret_hash if clue is not None else _UNKNOWN) or clue is None:
        raise ValidationFailed(_("线索编号或查询密码不正确。"), field="code")
    return clue


# --- triage -------------------------------------------------------------------------------------------

def _check(clue: Clue, action: ClueAction, actor, expected_version: int | None) -> None:
    if expected_version is not None and clue.version != expected_version:
        raise Conflict(_("该线索已被他人处理或修改，请刷新后重试。"))
    if target(clue.state, action) is None:
        raise InvalidTransition(_("线索当前处于“%(state)s”状态，不能执行“%(action)s”。",
                                  state=labels.state(clue.state), action=labels.action(action)))
    if not permissions.may_take(actor, clue, action):
        raise NotAllowed(_("您不能对此线索执行“%(action)s”：只有受理线索的人大常委会的联络人员可以操作。",
                           action=labels.action(action)))
    stored = db.session.scalar(sa.select(Clue.version).where(Clue.id == clue.id).with_for_update())
    if stored is not None and stored != clue.version:
        raise Conflict(_("该线索已被他人处理或修改，请刷新后重试。"))


def _apply(clue: Clue, action: ClueAction, actor, summary: dict) -> None:
    before = clue.state
    clue.state = target(clue.state, action)
    clue.decided_at = clue.updated_at = utcnow()
    db.session.flush()
    audit.record(f"clue.{action.value}", actor=actor, obj=clue, summary={
        "code": clue.tracking_code, "from": before.value, "to": clue.state.value, **summary})


def convertible_types() -> list[ReferralType]:
    return list(db.session.scalars(sa.select(ReferralType).where(
        ReferralType.direction == Direction.NPC_TO_PROCURATORATE, ReferralType.active.is_(True),
        ReferralType.requires_deputy.is_(False)).order_by(ReferralType.id)))


def default_type() -> ReferralType | None:
    return db.session.scalar(sa.select(ReferralType).where(ReferralType.code == DEFAULT_REFERRAL_TYPE))


def referral_body(clue: Clue) -> str:
    lines = [clue.description, ""]
    if clue.place:
        lines.append(_("发生地点：%(place)s", place=clue.place))
    source = labels.source(clue.source)
    if clue.station is not None:
        source = f"{source}（{clue.station.name}）"
    lines.append(_("线索来源：%(source)s，线索编号 %(code)s，类别：%(cat)s。", source=source,
                   code=clue.tracking_code, cat=categories.label(clue.category)))
    if clue.has_contact:
        lines.append(_("线索提供人留有联系方式，保存在线索端口，仅限有权限的人大工作人员查看。"))
    return "\n".join(lines)


def convert(clue: Clue, *, actor, rtype: ReferralType | None = None,
            expected_version: int | None = None) -> Referral:
    """Turn the clue into a referral draft of the receiving committee to its paired procuratorate,
    carrying title, description, place and attachments across; the clue links to the draft."""
    _check(clue, ClueAction.CONVERT, actor, expected_version)
    rtype = rtype or default_type()
    if rtype is None or rtype.direction is not Direction.NPC_TO_PROCURATORATE or rtype.requires_deputy:
        raise ValidationFailed(_("请选择人大向检察院移送的事项类型。"), field="type")
    receiver = clue.receiving_org.paired_procuratorate
    if receiver is None:
        raise ValidationFailed(_("%(org)s尚未配对人民检察院，不能转为移送事项。", org=clue.receiving_org.name))
    referral = referral_services.create_referral(
        actor=actor, rtype=rtype, receiver=receiver, sender=clue.receiving_org, title=clue.title,
        body=referral_body(clue), classification=Classification.INTERNAL, client_token=f"clue-{clue.id}")
    copied = 0
    for original in attachments_of(clue):
        db.session.add(Attachment(owner_type=Referral.__tablename__, owner_id=referral.id, sha256=original.sha256,
                                  size=original.size, kind=original.kind, filename=original.filename, side="npc",
                                  internal=False, uploaded_by=None, uploaded_at=original.uploaded_at))
        copied += 1
    clue.referral_id = referral.id
    _apply(clue, ClueAction.CONVERT, actor, {"referral": referral.id, "type": rtype.code, "files": copied})
    return referral


def merge(clue: Clue, *, actor, into: Clue | None, expected_version: int | None = None) -> None:
    """Mark `clue` a duplicate of `into`, a clue of the same committee still standing on its own."""
    _check(clue, ClueAction.MERGE, actor, expected_version)
    if into is None or into.id == clue.id:
        raise ValidationFailed(_("请选择要合并到的另一条线索。"), field="into")
    if into.receiving_org_id != clue.receiving_org_id:
        raise ValidationFailed(_("只能合并到本常委会受理的线索。"), field="into")
    if into.state is ClueState.MERGED:
        raise ValidationFailed(_("线索 %(code)s 已合并到其他线索，请直接合并到最终的那一条。",
                                 code=into.tracking_code), field="into")
    clue.duplicate_of_id = into.id
    _apply(clue, ClueAction.MERGE, actor, {"into": into.tracking_code})


def decline(clue: Clue, *, actor, reason: str, expected_version: int | None = None) -> None:
    """Decline with a reason — the sender reads it (redacted) on the status page."""
    _check(clue, ClueAction.DECLINE, actor, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写不予采用的理由（线索提供人可以看到）。"), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("理由不能超过 %(n)d 个字符。", n=MAX_REASON), field="reason")
    clue.decline_reason = reason
    _apply(clue, ClueAction.DECLINE, actor, {})


def similar(clue: Clue) -> list[tuple[Clue, float]]:
    """Clues of the same committee and category from the window around this one that read alike."""
    window = dt.timedelta(days=SIMILAR_WINDOW_DAYS)
    rows = list(db.session.scalars(sa.select(Clue).where(
        Clue.category == clue.category, Clue.receiving_org_id == clue.receiving_org_id, Clue.id != clue.id,
        Clue.created_at >= clue.created_at - window, Clue.created_at <= clue.created_at + window)
        .order_by(Clue.created_at.desc()).limit(SIMILAR_CANDIDATES)))
    return similarity.rank(f"{clue.title} {clue.description}", [(c, f"{c.title} {c.description}") for c in rows])


def record_contact_view(clue: Clue, *, actor) -> None:
    """Showing a sender's contact details is audited (敏感)."""
    if not permissions.can_see_contact(actor, clue):
        raise NotAllowed(_("您无权查看线索提供人的联系方式。"))
    audit.record("clue.contact_view", actor=actor, obj=clue, summary={"code": clue.tracking_code})


def record_export(*, actor, rows: int, filters: dict) -> None:
    audit.record("clue.export", actor=actor, summary={"rows": rows, "filters": filters})
