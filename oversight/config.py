"""Configuration defaults; every value can be overridden from the environment.

`OVERSIGHT_<NAME>` variables are read by `from_prefixed_env`; the two that deployments set most
often also answer to their conventional names, `DATABASE_URL` and `SECRET_KEY`.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class Config:
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    TIMEZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "中文", "en": "English"}
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set OVERSIGHT_SESSION_COOKIE_SECURE=true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # Login lockout: after this many consecutive failures the account locks for LOCKOUT_MINUTES
    # or until an administrator unlocks it, whichever comes first.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 30
    PASSWORD_MIN_LENGTH = 10
    ARGON2_PARAMS: dict = {}  # argon2-cffi defaults (RFC 9106 low-memory profile)
    PAGE_SIZE = 50
    # Deadline badges: 临期 within this many working days of the due date; 严重逾期 past it by more.
    DUE_SOON_WORKING_DAYS = 3
    SEVERELY_OVERDUE_WORKING_DAYS = 10
    # Attachments: what may be uploaded (checked by content, not by name) and how big.
    ATTACHMENT_MAX_BYTES = 15 * 1024 * 1024
    # The embedded default runs the scheduler inside the web process; production runs
    # `flask scheduler run` on its own and leaves this off.
    SCHEDULER_IN_PROCESS = False
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_FROM = "oversight@localhost"
    # Statistics: a rate or duration from fewer items than this shows as 样本不足 and is not ranked.
    REPORTS_MIN_SAMPLE = 5
    # The classification printed in every report's header.
    REPORTS_CLASSIFICATION_HEADER = "内部资料 注意保密"
    # Dashboard figures are kept in `report_figures` (reports/cache.py): recomputed when older than
    # this many seconds, refreshed by the `reports.figures` job, dropped when unused for this many days.
    REPORTS_FIGURES_MAX_AGE = 900
    REPORTS_FIGURES_KEEP_DAYS = 7


def database_url(instance_path: str) -> str:
    """`DATABASE_URL`, or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL") or os.environ.get("OVERSIGHT_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; plain URLs would ask for psycopg2.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return "sqlite:///" + str(Path(instance_path) / "oversight.sqlite3")


def secret_key(instance_path: str) -> str:
    """`SECRET_KEY` from the environment, or one generated once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY") or os.environ.get("OVERSIGHT_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not end up with different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()
