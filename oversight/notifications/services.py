"""Notifying people. In-app rows join the caller's transaction; e-mail leaves only after commit."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from ..db import after_commit, db, utcnow
from .models import Notification


def notify(user, *, kind: str, title: str, body: str = "", link: str = "") -> Notification:
    note = Notification(user_id=user.id, kind=kind, title=title[:200], body=body, link=link)
    db.session.add(note)
    if user.email and current_app.config.get("MAIL_SERVER"):
        after_commit(lambda: send_mail(user.email, title, body))
    return note


def mark_read(user, note_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `note_ids` is None)."""
    import sqlalchemy as sa

    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if note_ids is not None:
        stmt = stmt.where(Notification.id.in_(note_ids))
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def send_mail(to: str, subject: str, body: str) -> None:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_FROM"], to, subject
    msg.set_content(body or subject)
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
            smtp.send_message(msg)
    except OSError:
        # The in-app notification is already committed; a mail server outage must not fail the
        # request that caused it. It is logged for the administrator.
        current_app.logger.exception("could not send mail to %s", to)
