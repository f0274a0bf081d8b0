"""The one path every referral transition takes — check the workflow and the actor, change the
state, write the timeline and the audit — and the helpers that tell people about it."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ...accounts.models import Role, User, UserRole
from ...audit import services as audit
from ...db import db, utcnow
from ...errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from ...notifications.services import notify
from ...orgs.models import Organisation
from ...orgs.permissions import institution_of
from .. import labels, permissions
from ..deadlines import current_due_of
from ..models import Referral, ReferralEvent
from ..workflow import Action, Direction, State


MAX_TITLE, MAX_TEXT = 200, 20_000


def check(referral: Referral, action: Action, actor, *, expected_version: int | None = None) -> None:
    """Raise unless `actor` may take `action` on `referral` now (state, side, role, organisation)."""
    if expected_version is not None and referral.version != expected_version:
        raise Conflict(_("该事项已被他人修改，请刷新后重试。"))
    if permissions.rule_for(referral, action) is None:
        raise InvalidTransition(_("事项当前处于“%(state)s”状态，不能执行“%(action)s”。",
                                  state=labels.state(referral.state), action=labels.action(action)))
    if actor is not None and not permissions.may_take(actor, referral, action):
        raise NotAllowed(_("您不能对此事项执行“%(action)s”：只有%(party)s的相应人员可以操作。",
                           action=labels.action(action), party=labels.party(referral, action)))
    # Lock the row (PostgreSQL; a SQLite writer holds the database already) and compare versions now:
    # a concurrent change then surfaces here as Conflict, not as StaleDataError from a later flush.
    stored = db.session.scalar(sa.select(Referral.version).where(Referral.id == referral.id).with_for_update())
    if stored is not None and stored != referral.version:
        raise Conflict(_("该事项已被他人修改，请刷新后重试。"))


def _side_label(actor) -> str:
    return actor.side.value if actor is not None else "system"


def apply(referral: Referral, action: Action, actor, *, note: str = "", target: State | None = None,
          summary: dict | None = None) -> ReferralEvent:
    """Move `referral` through `action` (already checked) and write the timeline and the audit."""
    rule = permissions.rule_for(referral, action)
    before_state, due_before = referral.state, referral.current_due
    referral.state = target or rule.target or referral.state
    referral.current_due = current_due_of(referral)
    referral.updated_at = utcnow()
    event = ReferralEvent(
        referral=referral, action=action.value, from_state=before_state.value, to_state=referral.state.value,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.display_name if actor is not None else "系统", side=_side_label(actor),
        note=note, due_before=due_before, due_after=referral.current_due, round=referral.round)
    db.session.add(event)
    db.session.flush()
    audit.record(f"referral.{action.value}", actor=actor, obj=referral, summary={
        "serial": referral.serial, "from": before_state.value, "to": referral.state.value,
        "due": referral.current_due.isoformat() if referral.current_due else None, **(summary or {})})
    return event


def _text(value: str | None, field: str, message: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    if len(value) > limit:
        raise ValidationFailed(_("内容不能超过 %(n)d 个字符。", n=limit), field=field)
    return value


def recipients(org: Organisation, *roles: Role) -> list[User]:
    """Active users inside `org` holding any of `roles` — not those of the institutions below it."""
    users = list(db.session.scalars(
        sa.select(User).join(Organisation, User.organisation_id == Organisation.id)
        .where(Organisation.path.startswith(org.path), User.active.is_(True),
               User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))))
        .order_by(User.id)))
    home = institution_of(org).id
    return [u for u in users if institution_of(u.organisation).id == home]


def _tell(users, referral: Referral, kind: str, title: str, body: str = "") -> None:
    link = f"/referrals/{referral.id}"
    for user in {u.id: u for u in users}.values():
        notify(user, kind=kind, title=title, body=body, link=link)


def _receiver_staff(referral: Referral) -> list[User]:
    role = Role.PROCURATORATE_CONTACT if referral.direction is Direction.NPC_TO_PROCURATORATE else Role.NPC_STAFF
    return recipients(referral.receiver_org, role)


def _sender_staff(referral: Referral) -> list[User]:
    role = Role.NPC_STAFF if referral.direction is Direction.NPC_TO_PROCURATORATE else Role.PROCURATORATE_CONTACT
    people = recipients(referral.sender_org, role)
    if referral.deputy is not None:
        people.append(referral.deputy)
    return people


def _heading(referral: Referral) -> str:
    return f"{referral.serial or ''}《{referral.title}》".strip()
