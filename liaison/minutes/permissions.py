"""Pure predicates on minutes and action items."""
from __future__ import annotations

from oversight.accounts.models import Role
from oversight.orgs.models import Side
from oversight.orgs.permissions import institution_of
from oversight.referrals.workflow import Direction
from oversight.referrals.permissions import acts_within, can_create
from ..meetings.permissions import can_manage, is_invited
from ..permissions import organises_for
from .models import ActionItem, Minutes
from .workflow import ITEM_TRANSITIONS, MINUTES_TRANSITIONS, ItemAction, MinutesAction, available_actions


def can_act_minutes(user, minutes: Minutes, action: MinutesAction) -> bool:
    if (minutes.state, action) not in MINUTES_TRANSITIONS or not user.is_authenticated:
        return False
    if action is MinutesAction.PROPOSE_AMENDMENT:
        # Attendees and the other side's liaison staff comment during the amendment window.
        return is_invited(user, minutes.meeting) or organises_for(user, minutes.meeting.counterpart_org)
    return can_manage(user, minutes.meeting)


def minutes_actions(user, minutes: Minutes) -> list[MinutesAction]:
    """The buttons to show: approval only once the amendment window has ended, amendments only within it."""
    from oversight.workdays import today

    window_over = minutes.review_until is not None and today() > minutes.review_until
    hidden = {MinutesAction.PROPOSE_AMENDMENT} if window_over else {MinutesAction.APPROVE}
    return [a for a in available_actions(minutes.state) if a not in hidden and can_act_minutes(user, minutes, a)]


def spawn_direction(user) -> Direction | None:
    """The referral direction `user` may start from an action item: their own side sends."""
    if user.side is Side.NPC and user.has_role(Role.NPC_STAFF):
        return Direction.NPC_TO_PROCURATORATE
    if user.side is Side.PROCURATORATE and user.has_role(Role.PROCURATORATE_CONTACT):
        return Direction.PROCURATORATE_TO_NPC
    return None


def npc_side_of(meeting):
    """The meeting's NPC institution (the owner of any oversight topic it gives rise to)."""
    return meeting.organiser_org if meeting.organiser_org.side is Side.NPC else meeting.counterpart_org


def npc_institution_staff(user, meeting) -> bool:
    """NPC liaison staff of the meeting's own NPC institution: who may open an oversight topic from it."""
    return (user.is_authenticated and user.has_role(Role.NPC_STAFF)
            and acts_within(user, institution_of(npc_side_of(meeting))))


def can_act_item(user, item: ActionItem, action: ItemAction) -> bool:
    if (item.state, action) not in ITEM_TRANSITIONS or not user.is_authenticated:
        return False
    meeting = item.meeting
    if action is ItemAction.COMPLETE:
        # Only the owner's side says its own item is done, not the organiser for the other side.
        return item.owner_id == user.id or organises_for(user, item.owner_org)
    if action is ItemAction.DROP:
        return can_manage(user, meeting)
    if action is ItemAction.SPAWN_TOPIC:
        return item.topic_id is None and npc_institution_staff(user, meeting)
    direction = spawn_direction(user)
    return (item.referral_id is None and direction is not None and can_create(user, direction)
            and (organises_for(user, meeting.organiser_org) or organises_for(user, meeting.counterpart_org)))


def item_actions(user, item: ActionItem) -> list[ItemAction]:
    return [a for a in available_actions(item.state) if can_act_item(user, item, a)]


def owner_institution(item: ActionItem):
    return institution_of(item.owner_org)
