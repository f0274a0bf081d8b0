"""Every change to models and alerts: seeding the built-ins, tuning and switching models, and the alert
decisions. Services check, mutate, audit and flush; the entry point commits."""
from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from flask_babel import gettext as _

from ..audit import services as audit
from ..db import db, utcnow
from ..errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from . import permissions, registry
from .models import Alert, SupervisionModel
from .workflow import AlertAction, AlertState, next_state  # noqa: F401  (AlertAction for callers)

MAX_TEXT = 2000


def cron_trigger(expression: str) -> CronTrigger:
    """The trigger of a five-field cron expression in the deployment's zone; a Chinese error when invalid."""
    text = " ".join((expression or "").split())
    if len(text.split(" ")) != 5:
        raise ValidationFailed(_("定时表达式须为 5 段：分 时 日 月 星期，例如“0 3 * * *”。"), field="cron")
    try:
        return CronTrigger.from_crontab(text, timezone=current_app.config["TIMEZONE"])
    except ValueError as exc:
        raise ValidationFailed(_("定时表达式“%(c)s”无效：%(e)s", c=expression, e=str(exc)), field="cron") from None


def function_of(model: SupervisionModel) -> registry.ModelFunction:
    fn = registry.get(model.function)
    if fn is None:
        raise ValidationFailed(_("本系统没有注册模型函数“%(f)s”。", f=model.function), field="function")
    return fn


def _admin(actor) -> None:
    if actor is not None and not permissions.can_manage_models(actor):
        raise NotAllowed(_("只有系统管理员可以管理监督模型。"))


def _expect(obj, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise Conflict(_("该记录已被他人修改，请刷新后重试。"))


def tables_present(fn: registry.ModelFunction) -> bool:
    return all(name in db.metadata.tables for name in fn.needs_tables)


def ensure_builtins(*, actor=None) -> list[SupervisionModel]:
    """A row (disabled, default parameters) for every registered function that has none yet."""
    existing = set(db.session.scalars(db.select(SupervisionModel.function)))
    created = []
    for fn in registry.all_functions():
        if fn.key in existing or not tables_present(fn):
            continue
        model = SupervisionModel(key=fn.key, function=fn.key, name=str(fn.name), purpose=str(fn.purpose),
                                 legal_basis=str(fn.legal_basis), params=fn.defaults(), cron=fn.cron,
                                 enabled=False, reviewed=True, code_version=fn.code_version)
        db.session.add(model)
        db.session.flush()
        audit.record("supervision_model.create", actor=actor, obj=model, summary={"key": model.key})
        created.append(model)
    return created


def update_model(model: SupervisionModel, *, actor, name: str, purpose: str, legal_basis: str, params: dict,
                 cron: str, expected_version: int | None = None) -> SupervisionModel:
    """Tune a model: texts, parameters within their bounds, schedule. Saving it marks it reviewed."""
    _admin(actor)
    _expect(model, expected_version)
    fn = function_of(model)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写模型名称。")
    elif len(name) > 100:
        errors["name"] = _("名称不能超过 %(n)d 个字符。", n=100)
    for field, value in (("purpose", purpose), ("legal_basis", legal_basis)):
        if len(value or "") > MAX_TEXT:
            errors[field] = _("内容不能超过 %(n)d 个字符。", n=MAX_TEXT)
    try:
        clean = fn.validate(params)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        cron_trigger(cron)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    before = {"params": dict(model.params or {}), "cron": model.cron}
    model.name, model.purpose, model.legal_basis = name, (purpose or "").strip(), (legal_basis or "").strip()
    model.params, model.cron, model.reviewed = clean, " ".join(cron.split()), True
    db.session.flush()
    audit.record("supervision_model.update", actor=actor, obj=model,
                 summary={"key": model.key, "before": before, "params": clean, "cron": model.cron})
    return model


def set_enabled(model: SupervisionModel, *, actor, enabled: bool, expected_version: int | None = None) -> None:
    _admin(actor)
    _expect(model, expected_version)
    if enabled:
        if not model.reviewed:
            raise ValidationFailed(_("导入的模型须先由管理员审核参数并保存，才能启用。"), field="enabled")
        fn = function_of(model)
        fn.validate(model.params or {})
        if not tables_present(fn):
            raise ValidationFailed(_("本系统缺少该模型所需的数据表，不能启用。"), field="enabled")
        model.checked_until = utcnow()   # the schedule starts now, not with every fire since creation
    model.enabled = enabled
    db.session.flush()
    audit.record("supervision_model.enable" if enabled else "supervision_model.disable", actor=actor, obj=model,
                 summary={"key": model.key})


# --- alerts -------------------------------------------------------------------------------------

def check(alert: Alert, action: AlertAction, actor, *, expected_version: int | None = None) -> AlertState:
    _expect(alert, expected_version)
    try:
        target = next_state(alert.state, action)
    except InvalidTransition:
        raise InvalidTransition(_("预警当前状态下不能执行该操作。")) from None
    if not permissions.can_act(actor, alert, action):
        if permissions.is_liaison_staff(actor) and not permissions.in_own_committee(actor, alert):
            raise NotAllowed(_("只有预警所属人大常委会的联络人员可以研判该预警。"))
        raise NotAllowed(_("只有人大联络人员可以研判预警。"))
    return target


def _decide(alert: Alert, action: AlertAction, actor, target: AlertState, **summary) -> None:
    before = alert.state
    alert.state, alert.decided_by, alert.decided_at = target, actor, utcnow()
    db.session.flush()
    audit.record(f"alert.{action.value}", actor=actor, obj=alert,
                 summary={"model": alert.model.key, "from": before.value, "to": target.value, **summary})


def confirm(alert: Alert, *, actor, expected_version: int | None = None) -> None:
    _decide(alert, AlertAction.CONFIRM, actor, check(alert, AlertAction.CONFIRM, actor,
                                                      expected_version=expected_version))


def dismiss(alert: Alert, *, actor, reason: str, expected_version: int | None = None) -> None:
    target = check(alert, AlertAction.DISMISS, actor, expected_version=expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("排除预警须说明理由。"), field="reason")
    if len(reason) > MAX_TEXT:
        raise ValidationFailed(_("内容不能超过 %(n)d 个字符。", n=MAX_TEXT), field="reason")
    alert.dismiss_reason = reason
    _decide(alert, AlertAction.DISMISS, actor, target, reason=reason)


def mark_converted(alert: Alert, *, actor, topic_id: int, expected_version: int | None = None) -> None:
    """Record that `topic_id` was opened from the alert (issues' create_topic_from_alert calls this)."""
    target = check(alert, AlertAction.CONVERT, actor, expected_version=expected_version)
    alert.topic_id = topic_id
    _decide(alert, AlertAction.CONVERT, actor, target, topic=topic_id)


def convert(alert: Alert, *, actor, title: str, lead_body, description: str = "",
            expected_version: int | None = None):
    """Open an oversight topic from a confirmed alert, carrying its evidence. The topic belongs to the
    issues package, which `oversight` reaches by name (SUPERVISION_TOPIC_FACTORY) as it does blueprints."""
    check(alert, AlertAction.CONVERT, actor, expected_version=expected_version)
    import importlib

    module, _sep, attr = current_app.config.get(
        "SUPERVISION_TOPIC_FACTORY", "issues.services.topics:create_topic_from_alert").partition(":")
    factory = getattr(importlib.import_module(module), attr)
    return factory(alert, actor=actor, title=title, lead_body=lead_body, description=description)
