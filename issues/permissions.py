"""Pure predicates: who may see a topic or a rectification item, and who may take which step.

The NPC side is the committee that owns the topic (its staff draft and track, its reviewers approve).
The responsible unit acts on its own items: a procuratorate through its liaison contacts (for a
department, the contacts of its procuratorate); a unit without accounts (an external unit such as a
government department) through the owner's NPC staff, who enter its progress marked as such.
"""
from __future__ import annotations

from oversight.accounts.models import Role
from oversight.orgs.models import Organisation, OrgKind, Side
from oversight.orgs.permissions import acts_for, can_see_organisation_work, institution_of

from .models import RectificationItem, Topic
from .workflow import (ITEM_TRANSITIONS, TOPIC_TRANSITIONS, ItemAction, Party, TopicAction, TopicState,
                       item_actions, topic_actions)

NPC_ROLES = frozenset({Role.NPC_STAFF, Role.NPC_REVIEWER})
# A unit's topics are seen and worked by its liaison contacts. Handlers are not named on the lists (the
# responsible person there is a name, not an account), so they see no topic through their unit.
UNIT_ROLES = frozenset({Role.PROCURATORATE_CONTACT})
DRAFT_STATES = frozenset({TopicState.OPEN, TopicState.IN_REVIEW})


def acts_within(user, org: Organisation) -> bool:
    """Inside `org`'s institution and at or below `org` — never from an institution below it."""
    return acts_for(user, org) and institution_of(user.organisation).id == institution_of(org).id


def is_owner_side(user, topic: Topic) -> bool:
    """Staff or reviewer of the committee that owns `topic` (or of a committee above it)."""
    return (user.is_authenticated and user.has_role(*NPC_ROLES)
            and can_see_organisation_work(user, topic.owner_org))


def unit_of_user(user, unit: Organisation) -> bool:
    """Does `user` see the work of responsible `unit` from the unit's side?"""
    return (user.is_authenticated and user.has_role(*UNIT_ROLES) and unit.kind.side is not Side.EXTERNAL
            and can_see_organisation_work(user, unit))


def units_of(topic: Topic) -> list[Organisation]:
    """Every lead and co-unit of a responsibility with an issued item — never one named only in a draft."""
    seen: dict[int, Organisation] = {}
    for problem in topic.problems:
        for resp in problem.responsibilities:
            if not any(i.issued_in is not None for i in resp.items):
                continue
            for org in [resp.lead_unit, *resp.co_units]:
                seen.setdefault(org.id, org)
    return list(seen.values())


def may_be_responsible(topic: Topic, org: Organisation) -> bool:
    """Whom the owner may name responsible: its paired procuratorate and the procuratorates and departments
    below it, an external unit (which has no accounts), or a working body of the owner's own committee."""
    side = org.kind.side
    if side is Side.EXTERNAL:
        return True
    if side is Side.NPC:
        return org.kind is OrgKind.NPC_BODY and institution_of(org).id == topic.owner_org_id
    paired = topic.owner_org.paired_procuratorate
    return paired is not None and org.path.startswith(paired.path)


def can_view(user, topic: Topic) -> bool:
    if not user.is_authenticated:
        return False
    if is_owner_side(user, topic):
        return True
    # The units see a topic once its lists are issued, and only if they are named in them.
    return topic.issued_version > 0 and any(unit_of_user(user, u) for u in units_of(topic))


def can_create(user) -> bool:
    return user.is_authenticated and user.has_role(Role.NPC_STAFF)


def can_edit_lists(user, topic: Topic) -> bool:
    """Drafting the three lists: the owner's staff, while the topic is being drafted."""
    return (topic.state is TopicState.OPEN and user.is_authenticated and user.has_role(Role.NPC_STAFF)
            and acts_within(user, topic.owner_org))


def can_act(user, topic: Topic, action: TopicAction) -> bool:
    rule = TOPIC_TRANSITIONS.get((topic.state, action))
    if rule is None or rule.party is Party.SYSTEM or not user.is_authenticated:
        return False
    return bool({r.value for r in user.roles} & rule.roles) and acts_within(user, topic.owner_org)


def allowed_actions(user, topic: Topic) -> list[TopicAction]:
    return [a for a in topic_actions(topic.state) if can_act(user, topic, a)]


def on_behalf(unit: Organisation) -> bool:
    """A unit without accounts of its own: its steps are entered by the owner's NPC staff."""
    return unit.kind.side is Side.EXTERNAL


def can_view_item(user, item: RectificationItem) -> bool:
    if not user.is_authenticated:
        return False
    if is_owner_side(user, item.topic):
        return True
    return item.issued_in is not None and unit_of_user(user, item.unit)


# Accepting the work: never by the person who entered the progress it accepts (four eyes).
ACCEPTING = frozenset({ItemAction.SIGN_OFF, ItemAction.ACCEPT_PROGRESS})


def entered_progress(user, item: RectificationItem) -> bool:
    """Did `user` write the item's last progress report or make its last sign-off request?"""
    if user is None or not user.is_authenticated:
        return False
    last_report = item.reports[-1] if item.reports else None
    if last_report is not None and last_report.reported_by_id == user.id:
        return True
    requests = [e for e in item.events if e.action == ItemAction.REQUEST_SIGNOFF.value]
    return bool(requests) and requests[-1].actor_id == user.id


def can_act_item(user, item: RectificationItem, action: ItemAction) -> bool:
    if action in ACCEPTING and entered_progress(user, item):
        return False
    return may_act_item(user, item, action)


def may_act_item(user, item: RectificationItem, action: ItemAction) -> bool:
    """Role and scope alone (can_act_item adds the four-eyes rule for accepting)."""
    rule = ITEM_TRANSITIONS.get((item.state, action))
    if rule is None or rule.party is Party.SYSTEM or not user.is_authenticated:
        return False
    held = {r.value for r in user.roles}
    if rule.party is Party.NPC:
        return bool(held & rule.roles) and acts_within(user, item.topic.owner_org)
    if item.issued_in is None:
        return False  # a draft item is nobody's work yet
    if on_behalf(item.unit):
        return Role.NPC_STAFF.value in held and acts_within(user, item.topic.owner_org)
    if item.unit.kind.side is Side.NPC:
        return Role.NPC_STAFF.value in held and acts_within(user, institution_of(item.unit))
    return bool(held & rule.roles) and acts_within(user, institution_of(item.unit))


def allowed_item_actions(user, item: RectificationItem) -> list[ItemAction]:
    return [a for a in item_actions(item.state) if can_act_item(user, item, a)]


def can_use_topics(user) -> bool:
    """Whether the topic pages are part of `user`'s work."""
    return user.is_authenticated and user.has_role(*NPC_ROLES, *UNIT_ROLES)


# --- evidence files on progress reports (oversight.attachments, owner type "progress_reports") ------

def can_view_report(user, report) -> bool:
    """A progress report's evidence is read by whoever may see its item: the unit and the owner side."""
    return can_view_item(user, report.item)


def acts_for_unit(user, item: RectificationItem) -> bool:
    """Does `user` report for the item's responsible unit (the party UNIT of the item table)?"""
    if not user.is_authenticated or item.issued_in is None:
        return False
    held = {r.value for r in user.roles}
    if on_behalf(item.unit):
        return Role.NPC_STAFF.value in held and acts_within(user, item.topic.owner_org)
    if item.unit.kind.side is Side.NPC:
        return Role.NPC_STAFF.value in held and acts_within(user, institution_of(item.unit))
    return Role.PROCURATORATE_CONTACT.value in held and acts_within(user, institution_of(item.unit))


def can_attach_evidence(user, report) -> bool:
    """Only the responsible unit attaches evidence to its own reports, until the item is signed off."""
    from .workflow import ItemState

    item = report.item
    return item.state is not ItemState.SIGNED_OFF and acts_for_unit(user, item)
