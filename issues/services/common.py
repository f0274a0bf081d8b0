"""What the topic, list, issuing and item services share: text checks, recipients, telling people."""
from __future__ import annotations

from flask_babel import gettext as _

from oversight.accounts.models import Role, User
from oversight.errors import ValidationFailed
from oversight.notifications.services import notify
from oversight.orgs.models import Organisation, Side
from oversight.orgs.permissions import institution_of
from oversight.referrals.services import recipients

MAX_TITLE, MAX_TEXT, MAX_SHORT = 200, 20_000, 300


def text(value: str | None, field: str, message: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(message, field=field)
    if len(value) > limit:
        raise ValidationFailed(_("内容不能超过 %(n)d 个字符。", n=limit), field=field)
    return value


def actor_label(actor) -> str:
    return actor.display_name if actor is not None else "系统"


def side_of(actor) -> str:
    return actor.side.value if actor is not None else "system"


def owner_staff(owner: Organisation, *roles: Role) -> list[User]:
    return recipients(owner, *(roles or (Role.NPC_STAFF,)))


def unit_people(unit: Organisation) -> list[User]:
    """Who hears about a unit's items: its institution's liaison contacts (none for external units)."""
    if unit.kind.side is Side.EXTERNAL:
        return []
    home = institution_of(unit)
    role = Role.PROCURATORATE_CONTACT if unit.kind.side is Side.PROCURATORATE else Role.NPC_STAFF
    return recipients(home, role)


def tell(users, *, kind: str, title: str, link: str, body: str = "") -> int:
    unique = {u.id: u for u in users}
    for user in unique.values():
        notify(user, kind=kind, title=title, body=body, link=link)
    return len(unique)
