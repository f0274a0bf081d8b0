"""The emergency lock (熔断): the security admin takes the public portal, the feed and every export or
download offline at once, with a notice. One row in the database, so every worker on every host sees it.

Applied centrally: a before_request hook answers 503 for every URL under /public/ and every endpoint marked
`@export_endpoint` (or named in EXPORT_ENDPOINTS), and `oversight.exports` refuses to build a file while the lock
is on — so packages that add public pages or downloads get it without asking.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, db, utcnow
from .errors import NotAllowed, ValidationFailed

PUBLIC_PREFIX = "/public/"
NOTICE_MAX = 1000


class EmergencyLock(db.Model):
    """The single row (id 1) that says whether the public side and the exports are offline."""

    __tablename__ = "emergency_lock"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),
                      sa.CheckConstraint("NOT active OR notice <> ''", name="active_has_notice"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    active: Mapped[bool] = mapped_column(default=False)
    notice: Mapped[str] = mapped_column(sa.Text, default="")
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class LockedDown(Exception):
    """Raised by export helpers while the lock is on; mapped to a 503 page with the notice."""

    def __init__(self, notice: str):
        super().__init__(notice)
        self.notice = notice


# Endpoints that hand out files (exports and downloads) by name; views can also be marked with @export_endpoint.
EXPORT_ENDPOINTS: set[str] = {
    "attachments.download", "referrals.export", "referrals.npc_log", "topics.export", "rectification.export_progress",
    "topic_lists.version_pdf", "topic_lists.version_xlsx", "liaison_minutes.pdf", "liaison_minutes.docx",
    "liaison_feed.feed", "liaison_feed.invitation", "report_runs.download", "evaluation.generate",
}
# The last line of defence for a download nobody listed: a file-like response is replaced while the lock is on.
FILE_TYPES = frozenset({"application/pdf", "text/csv", "text/calendar", "application/atom+xml", "application/zip",
                        "application/octet-stream", "application/msword",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})


def export_endpoint(view):
    """Mark a view as an export or download: it answers 503 while the emergency lock is on."""
    view.is_export = True
    return view


# --- queries -------------------------------------------------------------------------------------
def current() -> EmergencyLock | None:
    return db.session.get(EmergencyLock, 1)


def active_notice() -> str | None:
    """The notice while the lock is on, else None. One primary-key read per call."""
    row = db.session.execute(sa.select(EmergencyLock.active, EmergencyLock.notice)
                             .where(EmergencyLock.id == 1)).first()
    return row.notice if row and row.active else None


def ensure_unlocked() -> None:
    notice = active_notice()
    if notice is not None:
        raise LockedDown(notice)


# --- permissions and services --------------------------------------------------------------------
def can_switch(user) -> bool:
    from .accounts.models import Role

    return bool(user and user.is_authenticated and user.has_role(Role.SECURITY_ADMIN))


def switch(*, actor, active: bool, notice: str = "", expected_version: int | None = None) -> EmergencyLock:
    """Turn the lock on (with a notice the public sees) or off. Security admin only; audited; never commits."""
    from .audit import services as audit
    from .errors import Conflict

    if not can_switch(actor):
        raise NotAllowed(_("只有安全保密管理员可以开启或关闭熔断。"))
    notice = (notice or "").strip()
    if active and not notice:
        raise ValidationFailed({"notice": _("开启熔断时必须填写对外公告。")})
    if len(notice) > NOTICE_MAX:
        raise ValidationFailed({"notice": _("公告不能超过 %(n)d 字。", n=NOTICE_MAX)})
    lock = current()
    if lock is None:
        lock = EmergencyLock(id=1, active=False, notice="")
        db.session.add(lock)
        db.session.flush()
    elif expected_version is not None and lock.version != expected_version:
        raise Conflict(_("熔断状态已被他人修改，请刷新后重试。"))
    was = lock.active
    lock.active = active
    lock.notice = notice if active else ""
    lock.changed_at = utcnow()
    lock.changed_by_id = actor.id
    db.session.flush()
    audit.record("lockdown.on" if active else "lockdown.off", actor=actor, obj=lock,
                 summary={"was_active": was, "active": active, "notice": notice})
    return lock


# --- wiring --------------------------------------------------------------------------------------
def is_guarded(path: str, endpoint: str | None, view) -> bool:
    if path.startswith(PUBLIC_PREFIX) or path.rstrip("/") == PUBLIC_PREFIX.rstrip("/"):
        return True
    return bool(endpoint and (endpoint in EXPORT_ENDPOINTS or getattr(view, "is_export", False)))


def locked_response(notice: str):
    return render_template("errors/lockdown.html", notice=notice), 503, {"Retry-After": "3600",
                                                                          "Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    @app.before_request
    def emergency_lock():
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if not is_guarded(request.path, request.endpoint, view):
            return None
        notice = active_notice()
        return locked_response(notice) if notice is not None else None

    @app.after_request
    def no_files_while_locked(response):
        if response.status_code >= 400 or request.endpoint == "static":
            return response
        is_file = "attachment" in response.headers.get("Content-Disposition", "") or response.mimetype in FILE_TYPES
        if not is_file:
            return response
        notice = active_notice()
        if notice is None:
            return response
        response.close()
        body, status, headers = locked_response(notice)
        return app.response_class(body, status=status, headers=headers, mimetype="text/html")

    @app.errorhandler(LockedDown)
    def locked_down(exc: LockedDown):
        db.session.rollback()
        return locked_response(exc.notice)

    @app.context_processor
    def lock_banner():
        from flask import has_request_context
        from flask_login import current_user

        if not has_request_context() or not getattr(current_user, "is_authenticated", False):
            return {}
        return {"emergency_notice": active_notice()}


__all__ = ["EmergencyLock", "LockedDown", "active_notice", "can_switch", "current", "ensure_unlocked",
           "export_endpoint", "init_app", "switch", "EXPORT_ENDPOINTS"]
