"""What protects the public clue form without any outside service: a rate limit per client address
kept in the database (so it holds across processes and workers), and a local challenge — a signed
arithmetic question with an expiry, spent once. Nothing here commits.

The client address is never stored: only an HMAC of it under the app's secret key.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..db import db, utcnow
from ..errors import DomainError, ValidationFailed
from ..web.templating import local_time
from .models import RateEvent, UsedChallenge

# scope → [(window in seconds, most events allowed in it)]; CLUE_RATE_LIMITS in the config overrides.
DEFAULT_LIMITS = {
    "submit": [(600, 5), (86_400, 20)],     # accepted clues per address
    "status": [(600, 10), (86_400, 60)],    # status look-ups per address, right or wrong
}
CHALLENGE_SECONDS = 30 * 60


class RateLimited(DomainError):
    """Too many requests from one address; `retry_at` says when the next one will be accepted."""

    status = 429

    def __init__(self, message: str, retry_at: dt.datetime):
        super().__init__(message)
        self.retry_at = retry_at


def client_key(address: str | None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"clue-rate:" + (address or "-").encode(), hashlib.sha256).hexdigest()


def _limits(scope: str) -> list[tuple[int, int]]:
    return (current_app.config.get("CLUE_RATE_LIMITS") or {}).get(scope) or DEFAULT_LIMITS[scope]


def check_rate(scope: str, key: str, *, now: dt.datetime | None = None) -> None:
    """Raise RateLimited if `key` has used up any window of `scope`."""
    now = now or utcnow()
    for seconds, allowed in _limits(scope):
        since = now - dt.timedelta(seconds=seconds)
        window = (sa.select(RateEvent.created_at)
                  .where(RateEvent.scope == scope, RateEvent.client_key == key, RateEvent.created_at > since)
                  .order_by(RateEvent.created_at.desc()).limit(allowed))
        times = list(db.session.scalars(window))
        if len(times) >= allowed:
            # The oldest of the last `allowed` events leaves the window first.
            retry_at = times[-1] + dt.timedelta(seconds=seconds)
            raise RateLimited(_rate_message(scope, seconds, allowed, retry_at), retry_at)


def _rate_message(scope: str, seconds: int, allowed: int, retry_at: dt.datetime) -> str:
    period = _("10 分钟") if seconds <= 600 else (_("1 小时") if seconds <= 3600 else _("24 小时"))
    if scope == "submit":
        return _("同一网络地址在%(period)s内最多提交 %(n)d 条线索，您已达到上限。请于 %(at)s（北京时间）之后再提交；"
                 "如情况紧急，请直接联系当地人大代表联络站。", period=period, n=allowed,
                 at=local_time(retry_at, "%Y-%m-%d %H:%M"))
    return _("查询过于频繁：同一网络地址在%(period)s内最多查询 %(n)d 次。请于 %(at)s（北京时间）之后再试。",
             period=period, n=allowed, at=local_time(retry_at, "%Y-%m-%d %H:%M"))


def count(scope: str, key: str, *, now: dt.datetime | None = None) -> None:
    db.session.add(RateEvent(scope=scope, client_key=key, created_at=now or utcnow()))
    db.session.flush()


def purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Forget rate events older than the longest window and challenges past their expiry."""
    now = now or utcnow()
    longest = max(seconds for limits in DEFAULT_LIMITS.values() for seconds, _n in limits)
    for limits in (current_app.config.get("CLUE_RATE_LIMITS") or {}).values():
        longest = max([longest] + [seconds for seconds, _n in limits])
    events = db.session.execute(sa.delete(RateEvent).where(
        RateEvent.created_at < now - dt.timedelta(seconds=longest))).rowcount
    used = db.session.execute(sa.delete(UsedChallenge).where(UsedChallenge.expires_at < now)).rowcount
    return events, used


# --- the challenge ------------------------------------------------------------------------------

def _sign(nonce: str, expires: int, answer: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"clue-challenge:{nonce}:{expires}:{answer}".encode(), hashlib.sha256).hexdigest()[:32]


def new_challenge(*, now: dt.datetime | None = None) -> tuple[str, str]:
    """(question, token): a small sum to work out, and a token carrying its signed answer."""
    now = now or utcnow()
    a, b = secrets.randbelow(40) + 10, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        question, answer = _("%(a)d 加 %(b)d 等于多少？", a=a, b=b), a + b
    else:
        question, answer = _("%(a)d 减 %(b)d 等于多少？", a=a, b=b), a - b
    nonce = secrets.token_hex(12)
    expires = int(now.timestamp()) + CHALLENGE_SECONDS
    return question, f"{nonce}.{expires}.{_sign(nonce, expires, str(answer))}"


def spend_challenge(token: str | None, answer: str | None, *, now: dt.datetime | None = None) -> None:
    """Accept the answer once: raise ValidationFailed for a forged, expired, wrong or reused token.
    The nonce is marked used in the caller's transaction (so it is spent only if the clue lands)."""
    now = now or utcnow()
    invalid = _("验证题无效，请重新作答。")
    try:
        nonce, expires_text, signature = (token or "").split(".")
        expires = int(expires_text)
    except ValueError:
        raise ValidationFailed(invalid, field="challenge") from None
    if len(nonce) != 24 or len(signature) != 32:
        raise ValidationFailed(invalid, field="challenge")
    answer = (answer or "").strip()
    if not answer.lstrip("-").isdigit():
        raise ValidationFailed(_("请填写验证题的答案（阿拉伯数字）。"), field="challenge")
    if not hmac.compare_digest(signature, _sign(nonce, expires, str(int(answer)))):
        raise ValidationFailed(_("验证题答案不正确，请重新作答。"), field="challenge")
    if expires < now.timestamp():
        raise ValidationFailed(_("验证题已过期（有效期 30 分钟），请重新作答。"), field="challenge")
    if db.session.get(UsedChallenge, nonce) is not None:
        raise ValidationFailed(_("该验证题已使用过，请重新作答。"), field="challenge")
    db.session.add(UsedChallenge(nonce=nonce, used_at=now,
                                 expires_at=dt.datetime.fromtimestamp(expires, dt.timezone.utc)))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a second request with the same token won the race
        raise ValidationFailed(_("该验证题已使用过，请重新作答。"), field="challenge") from None
