"""The sender's steps: writing a referral, numbering and sending it, withdrawing, sending a returned
one elsewhere, urging and archiving."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...accounts.models import Role, User
from ...audit import services as audit
from ...db import db, utcnow
from ...errors import Conflict, NotAllowed, ValidationFailed
from ...orgs.models import Organisation, OrgKind
from ...orgs.permissions import institution_of
from ...workdays import today
from .. import permissions
from ..deadlines import DueKind, due
from ..models import Classification, Referral, ReferralType, SerialCounter
from ..workflow import Action, Direction, State
from .transitions import MAX_TEXT, MAX_TITLE, _heading, _receiver_staff, _tell, apply, check


def create_referral(*, actor, rtype: ReferralType, receiver: Organisation, title: str, body: str,
                    deputy: User | None = None, classification: Classification | None = None,
                    client_token: str | None = None, sender: Organisation | None = None,
                    session_date: dt.date | None = None, parent: Referral | None = None) -> Referral:
    """A draft. The same `client_token` twice (a form submitted twice) yields the same referral."""
    if client_token:
        existing = db.session.scalar(sa.select(Referral).where(Referral.client_token == client_token))
        if existing is not None:
            return existing
    if actor is not None and not permissions.can_create(actor, rtype.direction):
        raise NotAllowed(_("您不能新建此方向的事项。"))
    if not rtype.active:
        raise ValidationFailed(_("事项类型“%(t)s”已停用。", t=rtype.name), field="type")
    if actor is not None and actor.has_role(Role.DEPUTY) and not actor.has_role(Role.NPC_STAFF):
        if not rtype.requires_deputy:
            raise NotAllowed(_("人大代表只能提出代表建议。"))
        deputy = actor
    sender = sender or (institution_of(actor.organisation) if actor is not None else None)
    if sender is None or (actor is not None and not permissions.acts_within(actor, sender)):
        raise NotAllowed(_("您只能以本单位名义移送事项。"))
    errors = {}
    wanted_receiver = OrgKind.PROCURATORATE if rtype.direction is Direction.NPC_TO_PROCURATORATE else OrgKind.NPC_COMMITTEE
    if receiver is None or receiver.kind is not wanted_receiver or not receiver.active:
        errors["receiver"] = (_("请选择接收的人民检察院。") if wanted_receiver is OrgKind.PROCURATORATE
                              else _("请选择接收的人大常委会。"))
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("标题不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if not body:
        errors["body"] = _("请填写事项内容。")
    elif len(body) > MAX_TEXT:
        errors["body"] = _("内容不能超过 %(n)d 个字符。", n=MAX_TEXT)
    if rtype.requires_deputy and (deputy is None or not deputy.has_role(Role.DEPUTY)):
        errors["deputy"] = _("代表建议须注明提出建议的人大代表。")
    if errors:
        raise ValidationFailed(errors)
    referral = Referral(direction=rtype.direction, type=rtype, sender_org=sender, receiver_org=receiver,
                        title=title, body=body, deputy=deputy, created_by=actor, parent=parent,
                        classification=classification or rtype.default_classification,
                        client_token=client_token or None, session_date=session_date, state=State.DRAFT)
    db.session.add(referral)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # the same token raced in from a second request
        raise Conflict(_("该事项已提交，请勿重复提交。")) from exc
    audit.record("referral.create", actor=actor, obj=referral, summary={"type": rtype.code, "title": title})
    return referral


def next_serial(org: Organisation, year: int) -> str:
    """`PREFIX-YEAR-NNNN`, unique per sending organisation and year, never reused."""
    table = SerialCounter.__table__
    try:
        with db.session.begin_nested():
            db.session.execute(sa.insert(table).values(organisation_id=org.id, year=year, last=0))
    except IntegrityError:
        pass  # the counter exists already
    number = db.session.execute(
        sa.update(table).where(table.c.organisation_id == org.id, table.c.year == year)
        .values(last=table.c.last + 1).returning(table.c.last)).scalar_one()
    return f"{org.serial_prefix or org.code}-{year}-{number:04d}"


def _start_clock(referral: Referral) -> None:
    """Sending starts the acknowledgement, result and cap periods (3 months run from 交办)."""
    start = today()
    rtype = referral.type
    referral.sent_at = utcnow()
    referral.ack_due = due(rtype, DueKind.ACK, start)
    if referral.direction is Direction.PROCURATORATE_TO_NPC:
        return  # reports have an acknowledgement period; what the NPC then does has its own calendar
    referral.result_due = due(rtype, DueKind.RESULT, start)
    referral.cap_due = due(rtype, DueKind.CAP, start)
    if referral.cap_due and referral.result_due > referral.cap_due:
        referral.result_due = referral.cap_due


def send(referral: Referral, *, actor, expected_version: int | None = None) -> Referral:
    action = Action.SEND if referral.direction is Direction.NPC_TO_PROCURATORATE else Action.SUBMIT
    check(referral, action, actor, expected_version=expected_version)
    if not referral.receiver_org.active:
        raise ValidationFailed(_("接收单位“%(org)s”已停用，请改选接收单位。", org=referral.receiver_org.name))
    if referral.serial is None:
        referral.serial = next_serial(referral.sender_org, today().year)
    _start_clock(referral)
    apply(referral, action, actor)
    _tell(_receiver_staff(referral), referral, "received",
          _("收到新事项：%(h)s", h=_heading(referral)), _("来自%(org)s。", org=referral.sender_org.name))
    return referral


def withdraw(referral: Referral, *, actor, reason: str = "", expected_version: int | None = None) -> None:
    check(referral, Action.WITHDRAW, actor, expected_version=expected_version)
    was_sent = referral.state is not State.DRAFT
    apply(referral, Action.WITHDRAW, actor, note=(reason or "").strip())
    if was_sent:
        _tell(_receiver_staff(referral), referral, "withdrawn", _("事项已撤回：%(h)s", h=_heading(referral)))


def resend(referral: Referral, *, actor, receiver: Organisation, expected_version: int | None = None) -> None:
    """改送: send a returned referral to another receiver; the serial and history stay."""
    check(referral, Action.RESEND, actor, expected_version=expected_version)
    if receiver is None or receiver.kind is not OrgKind.PROCURATORATE or not receiver.active:
        raise ValidationFailed(_("请选择接收的人民检察院。"), field="receiver")
    if receiver.id == referral.receiver_org_id:
        raise ValidationFailed(_("请改选其他接收单位：原单位已退回。"), field="receiver")
    previous = referral.receiver_org.name
    referral.receiver_org = receiver
    referral.acknowledged_at = referral.procedural_due = None
    _start_clock(referral)
    apply(referral, Action.RESEND, actor, note=_("原接收单位：%(org)s", org=previous),
          summary={"receiver": receiver.code})
    _tell(_receiver_staff(referral), referral, "received", _("收到新事项：%(h)s", h=_heading(referral)))


def urge(referral: Referral, *, actor, note: str = "", expected_version: int | None = None) -> None:
    check(referral, Action.URGE, actor, expected_version=expected_version)
    referral.urge_count += 1
    apply(referral, Action.URGE, actor, note=(note or "").strip(), summary={"urge_count": referral.urge_count})
    _tell(_receiver_staff(referral) + ([referral.handler] if referral.handler else []), referral, "urged",
          _("催办：%(h)s", h=_heading(referral)), (note or "").strip())


def archive(referral: Referral, *, actor, expected_version: int | None = None) -> None:
    check(referral, Action.ARCHIVE, actor, expected_version=expected_version)
    apply(referral, Action.ARCHIVE, actor)
