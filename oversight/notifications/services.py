"""Notifying people. In-app rows join the caller's transaction; e-mail leaves only after commit."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app

from ..db import after_commit, db, utcnow
from .models import Notification


@dataclass(frozen=True)
class MailAttachment:
    """A file an e-mail carries (the in-app notification has the link instead)."""

    filename: str
    data: bytes
    mimetype: str                       # "text/calendar"
    params: dict = field(default_factory=dict)   # Content-Type parameters, e.g. {"method": "REQUEST"}


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def notify(user, *, kind: str, title: str, body: str = "", link: str = "",
           attachments: tuple[MailAttachment, ...] = ()) -> Notification:
    note = Notification(user_id=user.id, kind=kind, title=title[:200], body=body, link=link)
    db.session.add(note)
    if user.email and mail_enabled():
        after_commit(lambda: send_mail(user.email, title, body, attachments))
    return note


def mark_read(user, note_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `note_ids` is None)."""
    import sqlalchemy as sa

    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if note_ids is not None:
        stmt = stmt.where(Notification.id.in_(note_ids))
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def send_mail(to: str, subject: str, body: str, attachments: tuple[MailAttachment, ...] = ()) -> None:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], to, subject
    msg.set_content(body or subject)
    for item in attachments:
        maintype, subtype = item.mimetype.split("/", 1)
        msg.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename,
                           params={**item.params, "charset": "utf-8"} if maintype == "text" else item.params)
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
            smtp.send_message(msg)
    except OSError:
        # The in-app notification is already committed; a mail server outage must not fail the
        # request that caused it. It is logged for the administrator.
        current_app.logger.exception("could not send mail to %s", to)
