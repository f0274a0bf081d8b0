"""Sharing models between deployments (the cross-region "white list"): a versioned JSON package with a
model's definition and parameters — never its code, which each deployment registers itself.

Importing creates or updates the model disabled and unreviewed: it runs only after an administrator has
reviewed its parameters here and switched it on. Unknown functions, other format or code versions,
parameters out of bounds and tampered packages are refused with a Chinese message.
"""
from __future__ import annotations

import hashlib
import json
import re

from flask import current_app
from flask_babel import gettext as _

from ..audit import services as audit
from ..db import db
from ..errors import NotAllowed, ValidationFailed
from . import permissions, registry, services
from .models import SupervisionModel

FORMAT = "oversight-supervision-model"
FORMAT_VERSION = 1
FIELDS = ("key", "function", "code_version", "name", "purpose", "legal_basis", "params", "cron")


def checksum(body: dict) -> str:
    """SHA-256 of the canonical JSON of everything but the checksum itself."""
    canonical = json.dumps({k: v for k, v in body.items() if k != "checksum"}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def export_package(model: SupervisionModel) -> dict:
    body = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "origin": current_app.config.get("DEPLOYMENT_NAME", ""),
            "key": model.key, "function": model.function, "code_version": model.code_version,
            "name": model.name, "purpose": model.purpose, "legal_basis": model.legal_basis,
            "params": dict(model.params or {}), "cron": model.cron}
    body["checksum"] = checksum(body)
    return body


def dumps(package: dict) -> str:
    return json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True)


def parse(text: str | bytes) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("模型包不是有效的 JSON 文件。"), field="package") from None
    if not isinstance(data, dict):
        raise ValidationFailed(_("模型包不是有效的 JSON 文件。"), field="package")
    return data


def import_package(data: dict, *, actor) -> SupervisionModel:
    """Create or update the model the package describes — disabled until an admin reviews it. Flushes."""
    if actor is not None and not permissions.can_manage_models(actor):
        raise NotAllowed(_("只有系统管理员可以管理监督模型。"))
    if data.get("format") != FORMAT:
        raise ValidationFailed(_("这不是监督模型包。"), field="package")
    if data.get("format_version") != FORMAT_VERSION:
        raise ValidationFailed(_("模型包格式版本 %(v)s 不受支持（本系统支持第 %(s)d 版）。",
                                 v=data.get("format_version"), s=FORMAT_VERSION), field="package")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise ValidationFailed(_("模型包缺少字段：%(f)s。", f="、".join(missing)), field="package")
    if data.get("checksum") != checksum(data):
        raise ValidationFailed(_("模型包校验和不符，文件可能被篡改，已拒绝导入。"), field="package")
    fn = registry.get(str(data["function"]))
    if fn is None:
        raise ValidationFailed(_("本系统没有注册模型函数“%(f)s”，不能导入。", f=data["function"]), field="package")
    if str(data["code_version"]) != fn.code_version:
        raise ValidationFailed(_("模型函数“%(f)s”的代码版本不符：包为 %(p)s，本系统为 %(s)s。", f=fn.key,
                                 p=data["code_version"], s=fn.code_version), field="package")
    key = str(data["key"])
    if not re.fullmatch(r"[a-z0-9_]{2,60}", key):
        raise ValidationFailed(_("模型标识“%(k)s”无效。", k=key), field="package")
    if not isinstance(data["params"], dict):
        raise ValidationFailed(_("模型包的参数格式无效。"), field="package")
    params = fn.validate(data["params"])
    services.cron_trigger(str(data["cron"]))
    name = str(data["name"]).strip()[:100] or str(fn.name)
    model = db.session.scalar(db.select(SupervisionModel).where(SupervisionModel.key == key))
    if model is not None and model.function != fn.key:
        raise ValidationFailed(_("本系统已有标识为“%(k)s”的其他模型。", k=key), field="package")
    created = model is None
    if created:
        model = SupervisionModel(key=key, function=fn.key)
        db.session.add(model)
    model.name, model.purpose, model.legal_basis = name, str(data["purpose"]), str(data["legal_basis"])
    model.params, model.cron, model.code_version = params, " ".join(str(data["cron"]).split()), fn.code_version
    model.enabled, model.reviewed = False, False
    model.origin = str(data.get("origin") or _("外部导入"))[:100]
    db.session.flush()
    audit.record("supervision_model.import", actor=actor, obj=model,
                 summary={"key": key, "created": created, "checksum": data["checksum"], "params": params})
    return model
