"""Field helpers shared by the liaison forms (shape only; the services check the rules)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

INVALID_CHOICE = _l("请从列表中选择。")
INVALID_DATE = _l("请输入有效日期（年-月-日）。")
INVALID_TIME = _l("请输入有效的日期和时间。")


def date_field(label, message=None, **kw):
    checks = [DataRequired(message)] if message else [Optional()]
    return DateField(label, validators=checks, invalid_value_message=INVALID_DATE, **kw)


def text_field(label, message=None, *, limit=5000, rows=3, **kw):
    checks = [DataRequired(message), Length(max=limit)] if message else [Optional(), Length(max=limit)]
    return TextAreaField(label, validators=checks, render_kw={"rows": rows}, **kw)


def pick(label, message=None, **kw):
    checks = [DataRequired(message)] if message else [Optional()]
    return SelectField(label, coerce=int, choices=[], validators=checks, invalid_choice_message=INVALID_CHOICE, **kw)


def to_utc(local: dt.datetime | None) -> dt.datetime | None:
    """A wall-clock time the user typed (Asia/Shanghai) as an aware UTC instant."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(dt.timezone.utc)


def to_local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)
