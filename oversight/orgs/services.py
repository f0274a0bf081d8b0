"""Every change to the organisation tree: create, edit, move, pair, deactivate, delete."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts import permissions
from ..audit import services as audit
from ..db import db
from ..errors import Conflict, NotAllowed, ValidationFailed
from .models import ALLOWED_PARENTS, Organisation, OrgKind, OrgLevel
from .queries import get_by_code, usage

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
PREFIX_RE = re.compile(r"^[A-Z]{0,12}$")
LEVELLED_KINDS = {OrgKind.NPC_COMMITTEE, OrgKind.PROCURATORATE}


def _require(actor) -> None:
    if actor is not None and not permissions.can_manage_organisations(actor):
        raise NotAllowed(_("您没有管理组织机构的权限。"))


def _check_fields(*, code: str, name: str, kind: OrgKind, level: OrgLevel, serial_prefix: str,
                  parent: Organisation | None, existing: Organisation | None = None) -> None:
    errors: dict[str, str] = {}
    if not CODE_RE.match(code or ""):
        errors["code"] = _("机构代码须为 2–40 位字母、数字或 _ . -，且以字母或数字开头。")
    else:
        other = get_by_code(code)
        if other is not None and other is not existing:
            errors["code"] = _("机构代码“%(code)s”已被“%(name)s”使用。", code=code, name=other.name)
    if not (name or "").strip():
        errors["name"] = _("机构名称不能为空。")
    elif len(name.strip()) > 120:
        errors["name"] = _("机构名称不能超过 120 个字符。")
    if kind in LEVELLED_KINDS and level is OrgLevel.NONE:
        errors["level"] = _("人大常委会和人民检察院须注明层级。")
    if kind not in LEVELLED_KINDS and level is not OrgLevel.NONE:
        errors["level"] = _("只有人大常委会和人民检察院有层级；“%(kind)s”随其上级。", kind=kind.label)
    if kind is OrgKind.NPC_COMMITTEE and level is OrgLevel.BRANCH:
        errors["level"] = _("人大常委会没有“分院”层级。")
    if not PREFIX_RE.match(serial_prefix or ""):
        errors["serial_prefix"] = _("编号前缀须为不超过 12 位的大写字母。")
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        if parent is None:
            errors["parent"] = _("“%(kind)s”必须有上级机构。", kind=kind.label)
        else:
            errors["parent"] = _("“%(kind)s”不能设在“%(parent)s”（%(pkind)s）之下。",
                                 kind=kind.label, parent=parent.name, pkind=parent.kind.label)
    elif parent is not None and not parent.active:
        errors["parent"] = _("上级机构“%(parent)s”已停用。", parent=parent.name)
    if errors:
        raise ValidationFailed(errors)


def create_organisation(*, actor, code: str, name: str, kind: OrgKind, level: OrgLevel = OrgLevel.NONE,
                        parent: Organisation | None = None, short_name: str = "",
                        serial_prefix: str = "") -> Organisation:
    _require(actor)
    code, serial_prefix = (code or "").strip(), (serial_prefix or "").strip().upper()
    _check_fields(code=code, name=name, kind=kind, level=level, serial_prefix=serial_prefix, parent=parent)
    org = Organisation(code=code, name=name.strip(), short_name=(short_name or "").strip(), kind=kind,
                       level=level, parent=parent, serial_prefix=serial_prefix, path="/")
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    audit.record("organisation.create", actor=actor, obj=org, summary=_snapshot(org))
    return org


def update_organisation(org: Organisation, *, actor, expected_version: int, code: str, name: str,
                        level: OrgLevel, short_name: str = "", serial_prefix: str = "") -> Organisation:
    _require(actor)
    _check_version(org, expected_version)
    code, serial_prefix = (code or "").strip(), (serial_prefix or "").strip().upper()
    _check_fields(code=code, name=name, kind=org.kind, level=level, serial_prefix=serial_prefix,
                  parent=org.parent, existing=org)
    if org.paired_procuratorate is not None and org.paired_procuratorate.level != level:
        raise ValidationFailed(_("该人大常委会已与“%(p)s”配对，层级须保持一致。",
                                 p=org.paired_procuratorate.name), field="level")
    before = _snapshot(org)
    org.code, org.name, org.short_name = code, name.strip(), (short_name or "").strip()
    org.level, org.serial_prefix = level, serial_prefix
    db.session.flush()
    audit.record("organisation.update", actor=actor, obj=org, summary={"before": before, "after": _snapshot(org)})
    return org


def move_organisation(org: Organisation, *, actor, expected_version: int,
                      new_parent: Organisation | None) -> Organisation:
    """Put `org` (and its whole subtree) under `new_parent`."""
    _require(actor)
    _check_version(org, expected_version)
    if new_parent is not None and (new_parent.id == org.id or new_parent.path.startswith(org.path)):
        raise ValidationFailed(_("不能把“%(org)s”移到它自己或它的下级机构之下，否则会形成循环。",
                                 org=org.name), field="parent")
    _check_fields(code=org.code, name=org.name, kind=org.kind, level=org.level,
                  serial_prefix=org.serial_prefix, parent=new_parent, existing=org)
    old_path = org.path
    new_path = f"{new_parent.path if new_parent else '/'}{org.id}/"
    before_parent = org.parent.code if org.parent else None
    org.parent = new_parent
    org.path = new_path
    db.session.flush()
    # Re-root every descendant's path in one statement.
    db.session.execute(
        sa.update(Organisation.__table__)
        .where(Organisation.__table__.c.path.startswith(old_path), Organisation.__table__.c.id != org.id)
        .values(path=sa.literal(new_path) + sa.func.substr(Organisation.__table__.c.path, len(old_path) + 1))
    )
    db.session.expire_all()
    audit.record("organisation.move", actor=actor, obj=org, summary={
        "from_parent": before_parent, "to_parent": new_parent.code if new_parent else None})
    return org


def set_pairing(committee: Organisation, *, actor, procuratorate: Organisation | None) -> None:
    """Pair a standing committee with the procuratorate of the same level (or clear the pairing)."""
    _require(actor)
    if committee.kind is not OrgKind.NPC_COMMITTEE:
        raise ValidationFailed(_("只有人大常委会可以与检察院配对。"), field="paired")
    if procuratorate is not None:
        if procuratorate.kind is not OrgKind.PROCURATORATE:
            raise ValidationFailed(_("“%(org)s”不是人民检察院。", org=procuratorate.name), field="paired")
        if procuratorate.level != committee.level:
            raise ValidationFailed(_("只能与同级检察院配对：“%(c)s”为%(cl)s，“%(p)s”为%(pl)s。",
                                     c=committee.name, cl=committee.level.label, p=procuratorate.name,
                                     pl=procuratorate.level.label), field="paired")
        holder = db.session.scalar(sa.select(Organisation).where(
            Organisation.paired_procuratorate_id == procuratorate.id, Organisation.id != committee.id))
        if holder is not None:
            raise ValidationFailed(_("“%(p)s”已与“%(c)s”配对。", p=procuratorate.name, c=holder.name),
                                   field="paired")
    before = committee.paired_procuratorate.code if committee.paired_procuratorate else None
    committee.paired_procuratorate = procuratorate
    db.session.flush()
    audit.record("organisation.pair", actor=actor, obj=committee, summary={
        "before": before, "after": procuratorate.code if procuratorate else None})


def set_active(org: Organisation, *, actor, expected_version: int, active: bool) -> None:
    """Deactivate (or reactivate) an organisation. Its records stay; it gets no new accounts or work."""
    _require(actor)
    _check_version(org, expected_version)
    if not active:
        active_children = db.session.scalar(sa.select(sa.func.count()).where(
            Organisation.parent_id == org.id, Organisation.active.is_(True)))
        if active_children:
            raise ValidationFailed(_("“%(org)s”还有 %(n)d 个启用中的下级机构，请先停用或移走它们。",
                                     org=org.name, n=active_children))
        users = usage(org)["active_users"]
        if users:
            raise ValidationFailed(_("“%(org)s”还有 %(n)d 个启用中的账户，请先停用或调出这些账户。",
                                     org=org.name, n=users))
    elif org.parent is not None and not org.parent.active:
        raise ValidationFailed(_("上级机构“%(p)s”已停用，请先启用上级机构。", p=org.parent.name))
    org.active = active
    db.session.flush()
    audit.record("organisation.activate" if active else "organisation.deactivate", actor=actor, obj=org)


def delete_organisation(org: Organisation, *, actor) -> None:
    """Remove an organisation that nothing refers to (e.g. one created by mistake)."""
    _require(actor)
    counts = usage(org)
    referenced = counts["children"] or counts["users"] or counts["deputies"] or org.paired_procuratorate_id
    paired_from = db.session.scalar(sa.select(Organisation.id).where(Organisation.paired_procuratorate_id == org.id))
    if referenced or paired_from:
        raise ValidationFailed(_("“%(org)s”已被下级机构、账户或配对关系引用，不能删除，只能停用。", org=org.name))
    audit.record("organisation.delete", actor=actor, obj=org, summary=_snapshot(org))
    db.session.delete(org)
    db.session.flush()


def _check_version(org: Organisation, expected_version: int) -> None:
    if org.version != expected_version:
        raise Conflict(_("“%(org)s”已被他人修改，请刷新后重试。", org=org.name))


def _snapshot(org: Organisation) -> dict:
    return {"code": org.code, "name": org.name, "short_name": org.short_name, "kind": org.kind.value,
            "level": org.level.value, "parent": org.parent.code if org.parent else None,
            "serial_prefix": org.serial_prefix, "active": org.active}
