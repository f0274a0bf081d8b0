"""Logging in and out, and the user's own password and language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..db import commit
from ..errors import ValidationFailed
from ..web.forms import apply_errors
from ..web.security import public
from . import services
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = services.attempt_login(form.username.data, form.password.data)
        commit()  # failures count towards the lockout even though the login is refused
        if result.ok:
            chosen = session.get("lang")  # a language picked on the login page outlives the new session
            session.clear()
            login_user(result.user)
            if chosen and chosen != result.user.locale:
                services.set_locale(result.user, chosen)
                commit()
            return redirect(_safe_next(form.next.data))
        form.password.errors.append(result.message)
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    services.record_logout(current_user._get_current_object())
    commit()
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, current_password=form.current_password.data,
                                     new_password=form.new_password.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            commit()
            login_user(user)  # the session token changed; keep this session, end the others
            flash(_("密码已修改。其他设备上的登录已失效。"), "success")
            return redirect(url_for("web.home"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/language/<locale>")
@public
def set_language(locale: str):
    from flask import current_app

    if locale not in current_app.config["LANGUAGES"]:
        flash(_("不支持该语言。"), "error")
    else:
        session["lang"] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user._get_current_object(), locale)
            commit()
    return redirect(_safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))
