"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _


@lru_cache(maxsize=4)
def _hasher_for(params: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    # Verified against when the username is unknown, so both answers take the same time.
    return hasher, hasher.hash("not a password of anyone")


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2id with the library's defaults, or `ARGON2_PARAMS` from the configuration."""
    params = (current_app.config.get("ARGON2_PARAMS") or {}) if has_app_context() else {}
    return _hasher_for(tuple(sorted(params.items())))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(stored_hash)


def policy_problems(password: str, *, username: str = "", min_length: int = 10) -> list[str]:
    problems = []
    if len(password) < min_length:
        problems.append(_("密码至少需要 %(n)d 个字符。", n=min_length))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append(_("密码须同时包含字母和数字。"))
    if username and username.lower() in password.lower():
        problems.append(_("密码不能包含用户名。"))
    return problems
