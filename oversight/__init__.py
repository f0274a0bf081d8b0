"""监督衔接 — the shared workplace of a people's congress standing committee and its procuratorate.

`create_app` builds the Flask application; every feature package registers a blueprint here.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import Config, database_url, secret_key

ROOT = Path(__file__).resolve().parent.parent

# Blueprints by import path, so that `oversight` never imports the packages built on it.
BLUEPRINTS = [
    "oversight.web.views:bp",
    "oversight.accounts.views:bp",
    "oversight.accounts.admin_views:bp",
    "oversight.orgs.views:bp",
    "oversight.audit.views:bp",
    "oversight.workdays.views:bp",
    "oversight.notifications.views:bp",
    "oversight.attachments.views:bp",
    "oversight.referrals.views:bp",
    "oversight.referrals.admin_views:bp",
    "oversight.web.lockdown_views:bp",
    "oversight.clues.views:bp",
    "oversight.clues.public_views:bp",
    "oversight.supervision.admin_views:bp",
    "oversight.supervision.views:bp",
    "issues.views:bp",
    "issues.list_views:bp",
    "issues.item_views:bp",
    "reports.views:bp",
    "reports.run_views:bp",
    "reports.publications.views:bp",
    "reports.publications.public_views:bp",
    "liaison.registry.views:bp",
    "liaison.meetings.views:bp",
    "liaison.meetings.feed_views:bp",
    "liaison.minutes.views:bp",
    "liaison.exchanges.views:bp",
    "reports.evaluation.views:bp",
    "reports.evaluation.public_views:bp",
]
CLI_GROUPS = [
    "oversight.audit.cli:audit_cli",
    "oversight.demo.cli:demo_cli",
    "oversight.accounts.cli:users_cli",
    "oversight.orgs.cli:orgs_cli",
    "oversight.referrals.cli:referrals_cli",
    "oversight.scheduler:scheduler_cli",
    "oversight.supervision.cli:models_cli",
    "reports.cli:reports_cli",
]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("OVERSIGHT_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    app.config.from_prefixed_env("OVERSIGHT")
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    app.config.setdefault("UPLOAD_FOLDER", str(Path(app.instance_path) / "files"))

    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from .extensions import babel, csrf, db, login_manager, migrate
    from . import lockdown
    from .web import i18n, security, templating
    from .web.errors import register_error_handlers

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(ROOT / "translations"))
    login_manager.init_app(app)
    security.init_app(app)
    lockdown.init_app(app)
    templating.init_app(app)
    register_error_handlers(app)

    for target in BLUEPRINTS:
        app.register_blueprint(_load(target))
    for target in CLI_GROUPS:
        app.cli.add_command(_load(target))
    if app.config["SCHEDULER_IN_PROCESS"] and not app.testing:
        from .scheduler import start_in_process

        start_in_process(app)  # only in the process that serves; see oversight/scheduler.py
    return app


def _load(target: str):
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
