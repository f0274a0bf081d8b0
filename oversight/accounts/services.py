"""Every change to accounts: creating and editing users, roles, passwords, login and lockout."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit import services as audit
from ..db import db, utcnow
from ..errors import Conflict, NotAllowed, ValidationFailed
from ..orgs.models import Organisation, OrgKind
from . import permissions
from .models import SEPARATED_ROLES, DeputyProfile, Role, User, UserRole
from .passwords import hash_password, needs_rehash, policy_problems, verify_password


@dataclass(frozen=True)
class DeputyInfo:
    delegation: str
    term: str
    liaison_station: Organisation | None = None


# --- rules ------------------------------------------------------------------------------------

def check_roles(roles: set[Role], organisation: Organisation) -> None:
    """Raise ValidationFailed unless `roles` may be held together by a user of `organisation`."""
    if not roles:
        raise ValidationFailed(_("至少需要选择一个角色。"), field="roles")
    separated = sorted(roles & SEPARATED_ROLES)
    if len(separated) > 1:
        raise ValidationFailed(
            _("“%(a)s”与“%(b)s”须由不同人员担任（三员分立），不能授予同一账户。",
              a=separated[0].label, b=separated[1].label), field="roles")
    for role in sorted(roles):
        if role.side is not None and role.side != organisation.side:
            raise ValidationFailed(
                _("角色“%(role)s”只能授予%(side)s一方单位的账户，而“%(org)s”属于%(org_side)s一方。",
                  role=role.label, side=role.side.label, org=organisation.name,
                  org_side=organisation.side.label), field="roles")


def _check_password(password: str, username: str) -> None:
    problems = policy_problems(password, username=username,
                               min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise ValidationFailed("".join(problems), field="password")


def _check_deputy(roles: set[Role], deputy: DeputyInfo | None) -> None:
    if Role.DEPUTY not in roles:
        return
    if deputy is None or not deputy.delegation.strip() or not deputy.term.strip():
        raise ValidationFailed(_("人大代表账户须填写所在代表团和届别。"), field="delegation")
    station = deputy.liaison_station
    if station is not None and station.kind is not OrgKind.LIAISON_STATION:
        raise ValidationFailed(_("“%(org)s”不是代表联络站。", org=station.name), field="liaison_station")


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed(_("您没有管理用户账户的权限。"))


# --- administration ---------------------------------------------------------------------------

def create_user(*, actor, username: str, display_name: str, organisation: Organisation,
                roles: set[Role], password: str, email: str = "", phone: str = "",
                deputy: DeputyInfo | None = None, must_change_password: bool = True) -> User:
    _require(actor is None or permissions.can_manage_users(actor))
    username = username.strip().lower()
    if not username or not display_name.strip():
        raise ValidationFailed(_("用户名和姓名不能为空。"), field="username")
    if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username)):
        raise ValidationFailed(_("用户名“%(u)s”已被使用。", u=username), field="username")
    if not organisation.active:
        raise ValidationFailed(_("“%(org)s”已停用，不能新增账户。", org=organisation.name), field="organisation")
    check_roles(roles, organisation)
    _check_deputy(roles, deputy)
    _check_password(password, username)
    user = User(username=username, display_name=display_name.strip(), organisation=organisation,
                email=email.strip(), phone=phone.strip(), password_hash=hash_password(password),
                session_token=secrets.token_hex(8), must_change_password=must_change_password,
                password_changed_at=utcnow())
    user.role_rows = [UserRole(role=r) for r in sorted(roles)]
    if Role.DEPUTY in roles:
        user.deputy_profile = DeputyProfile(delegation=deputy.delegation.strip(), term=deputy.term.strip(),
                                            liaison_station=deputy.liaison_station)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, obj=user, summary={
        "username": username, "organisation": organisation.code, "roles": sorted(roles)})
    return user


def update_user(user: User, *, actor, expected_version: int, display_name: str,
                organisation: Organisation, roles: set[Role], email: str = "", phone: str = "",
                active: bool = True, deputy: DeputyInfo | None = None) -> User:
    _require(permissions.can_manage_users(actor))
    if user.version != expected_version:
        raise Conflict(_("该账户已被他人修改，请刷新后重试。"))
    if not display_name.strip():
        raise ValidationFailed(_("姓名不能为空。"), field="display_name")
    if user.id == actor.id and (not active or Role.SYSTEM_ADMIN not in roles):
        raise ValidationFailed(_("不能停用自己的账户或取消自己的系统管理员角色。"), field="roles")
    check_roles(roles, organisation)
    _check_deputy(roles, deputy)
    before = _snapshot(user)
    user.display_name, user.organisation = display_name.strip(), organisation
    user.email, user.phone = email.strip(), phone.strip()
    if user.active and not active:
        user.session_token = secrets.token_hex(8)  # ends the user's open sessions
    user.active = active
    current = {r.role: r for r in user.role_rows}
    user.role_rows = [current.get(r) or UserRole(role=r) for r in sorted(roles)]
    if Role.DEPUTY in roles:
        profile = user.deputy_profile or DeputyProfile()
        profile.delegation, profile.term = deputy.delegation.strip(), deputy.term.strip()
        profile.liaison_station = deputy.liaison_station
        user.deputy_profile = profile
    else:
        user.deputy_profile = None
    db.session.flush()
    audit.record("user.update", actor=actor, obj=user, summary={"before": before, "after": _snapshot(user)})
    return user


def reset_password(user: User, *, actor, new_password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    _require(permissions.can_manage_users(actor))
    _check_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.password_changed_at = utcnow()
    user.session_token = secrets.token_hex(8)
    user.failed_logins, user.locked_until = 0, None
    audit.record("user.reset_password", actor=actor, obj=user)


def unlock_user(user: User, *, actor) -> None:
    _require(permissions.can_manage_users(actor))
    user.failed_logins, user.locked_until = 0, None
    audit.record("user.unlock", actor=actor, obj=user)


# --- self-service -----------------------------------------------------------------------------

def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(_("当前密码不正确。"), field="current_password")
    if current_password == new_password:
        raise ValidationFailed(_("新密码不能与当前密码相同。"), field="new_password")
    _check_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    user.session_token = secrets.token_hex(8)
    audit.record("user.change_password", actor=user, obj=user)


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_("不支持该语言。"), field="locale")
    user.locale = locale


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def attempt_login(username: str, password: str, *, now: dt.datetime | None = None) -> LoginResult:
    """Check a login. Failures count towards the lockout; success and failure are both audited."""
    now = now or utcnow()
    cfg = current_app.config
    name = (username or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == name)) if name else None
    generic = _("用户名或密码错误。")
    if user is None:
        verify_password(None, password or "")  # same work as for a real account
        audit.record("auth.login_failed", actor_label=name[:60] or "?", summary={"reason": "unknown_user"})
        return LoginResult(None, generic)
    if user.locked_until and user.locked_until > now:
        audit.record("auth.login_refused", actor=user, obj=user, summary={"reason": "locked"})
        return LoginResult(None, _lock_message(user))
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins += 1
        summary = {"reason": "bad_password", "failures": user.failed_logins}
        if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + dt.timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
            summary["locked_until"] = user.locked_until.isoformat()
            audit.record("auth.login_failed", actor=user, obj=user, summary=summary)
            return LoginResult(None, _lock_message(user))
        audit.record("auth.login_failed", actor=user, obj=user, summary=summary)
        left = cfg["LOGIN_MAX_FAILURES"] - user.failed_logins
        return LoginResult(None, generic + " " + _("再失败 %(n)d 次账户将被锁定。", n=left))
    if not user.active:
        audit.record("auth.login_refused", actor=user, obj=user, summary={"reason": "inactive"})
        return LoginResult(None, _("该账户已停用，请联系系统管理员。"))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    audit.record("auth.login", actor=user, obj=user)
    return LoginResult(user)


def record_logout(user: User) -> None:
    audit.record("auth.logout", actor=user, obj=user)


def _lock_message(user: User) -> str:
    from ..web.templating import local_time

    return _("由于连续 %(n)d 次密码错误，账户已被锁定至 %(t)s。请届时再试，或联系系统管理员解锁。",
             n=current_app.config["LOGIN_MAX_FAILURES"], t=local_time(user.locked_until, "%H:%M"))


def _snapshot(user: User) -> dict:
    return {"display_name": user.display_name, "organisation_id": user.organisation_id,
            "roles": sorted(user.roles), "active": user.active, "email": user.email, "phone": user.phone}
