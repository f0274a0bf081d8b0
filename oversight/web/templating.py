"""Jinja filters and globals: local time, navigation, unread count."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import get_locale, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..accounts import permissions as account_perms
from ..clues.permissions import can_use_clues
from ..referrals.permissions import can_use_referrals




def _by_name(target: str):
    """A predicate named "module:function" in a package built on `oversight` (never imported here)."""
    def allowed(user) -> bool:
        import importlib

        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)(user)

    return allowed


def _supervision():
    from ..supervision import permissions

    return permissions


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    allowed: object  # predicate(user) -> bool


NAVIGATION = [
    NavItem("web.home", _l("工作台"), lambda u: True),
    NavItem("notifications.inbox", _l("消息"), lambda u: True),
    NavItem("referrals.inbox", _l("待办事项"), can_use_referrals),
    NavItem("referrals.search", _l("移送事项"), can_use_referrals),
    NavItem("referrals.help_page", _l("办理流程"), can_use_referrals),
    NavItem("clues.index", _l("线索"), can_use_clues),
    NavItem("topics.index", _l("监督议题"), _by_name("issues.permissions:can_use_topics")),
    NavItem("rectification.index", _l("整改事项"), _by_name("issues.permissions:can_use_topics")),
    NavItem("liaison_meetings.calendar", _l("联络会议"), _by_name("liaison.permissions:can_use_liaison")),
    NavItem("evaluation.index", _l("群众评议"), _by_name("reports.evaluation.permissions:can_use_evaluation")),
    NavItem("liaison_registry.directory", _l("联络人名录"), _by_name("liaison.registry.permissions:can_view_directory")),
    NavItem("publications.index", _l("信息公开"), _by_name("reports.publications.permissions:can_use_publications")),
    NavItem("supervision_alerts.index", _l("模型预警"), lambda u: _supervision().can_view_alerts(u)),
    NavItem("orgs.index", _l("组织机构"), account_perms.can_view_directory),
    NavItem("admin_users.index", _l("用户管理"), account_perms.can_manage_users),
    NavItem("referral_types.index", _l("事项类型"), account_perms.can_manage_referral_types),
    NavItem("supervision_models.index", _l("监督模型"), lambda u: _supervision().can_manage_models(u)),
    NavItem("workdays.index", _l("工作日历"), lambda u: True),
    NavItem("audit.index", _l("审计日志"), account_perms.can_view_audit),
    NavItem("lockdown.index", _l("熔断"), _by_name("oversight.lockdown:can_switch")),
]


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant shown in the deployment's time zone (Asia/Shanghai)."""
    if value is None:
        return ""
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    return value.astimezone(tz).strftime(fmt)


def date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class EmptyForm(FlaskForm):
    """CSRF for action buttons."""


def page_url(_reset: bool = False, **params) -> str:
    """This page's URL with its filters kept and the cursor parameters replaced."""
    args = {} if _reset else request.args.to_dict()
    if _reset:
        args = {k: v for k, v in request.args.items() if k not in ("after", "before")}
    else:
        args.update({k: v for k, v in params.items() if v is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _current_nav(nav: list[NavItem]) -> str | None:
    """The navigation item of this page: its own endpoint, else the first item of its blueprint."""
    endpoint = request.endpoint or ""
    if any(item.endpoint == endpoint for item in nav):
        return endpoint
    blueprint = endpoint.split(".")[0]
    return next((item.endpoint for item in nav if item.endpoint.split(".")[0] == blueprint), None)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["date"] = date_text
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def shell():
        if not has_request_context():
            return {}  # a job or CLI rendering a PDF: no page shell, no session, no CSRF token
        user = current_user
        nav, unread = [], 0
        if user and user.is_authenticated:
            from ..notifications.queries import unread_count

            nav = [item for item in NAVIGATION if item.allowed(user)]
            unread = unread_count(user.id)
        locale = str(get_locale() or "zh_CN")
        return {
            "navigation": nav,
            "unread_count": unread,
            "languages": current_app.config["LANGUAGES"],
            "current_locale": locale,
            "html_lang": "zh-CN" if locale.startswith("zh") else "en",
            "action_form": EmptyForm(formdata=None),  # only renders a CSRF token
            "is_active_endpoint": lambda ep: ep == _current_nav(nav),
        }
