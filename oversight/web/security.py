"""Every route needs a logged-in user unless its view is marked `@public`; security headers."""
from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..audit.services import request_origin
from ..extensions import login_manager

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


def public(view):
    """Mark a view as reachable without logging in. Everything else requires a session."""
    view.is_public = True
    return view


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        from ..accounts.queries import user_for_session

        return user_for_session(session_id)

    @app.before_request
    def require_login():
        request_origin.set(request.remote_addr or "")
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in ("auth.change_password", "auth.logout"):
            return redirect(url_for("auth.change_password"))
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user and getattr(current_user, "is_authenticated", False):
            # Pages behind login carry personal and internal data: no shared caches, no back-button copies.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


__all__ = ["init_app", "public"]
