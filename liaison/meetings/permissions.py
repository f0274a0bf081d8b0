"""Pure predicates: who sees a meeting, who runs it, who answers an invitation."""
from __future__ import annotations

from ..permissions import organises_for, sees_either
from .models import Invitation, Meeting
from .workflow import Action, State, available_actions


def is_invited(user, meeting: Meeting) -> bool:
    return any(i.user_id == user.id for i in meeting.invitations)


def can_view(user, meeting: Meeting) -> bool:
    if not user.is_authenticated:
        return False
    return is_invited(user, meeting) or sees_either(user, meeting.organiser_org, meeting.counterpart_org)


def can_manage(user, meeting: Meeting) -> bool:
    """The organiser's side runs the meeting: staff acting for the organising institution."""
    return organises_for(user, meeting.organiser_org)


def can_act(user, meeting: Meeting, action: Action) -> bool:
    return action in available_actions(meeting.state) and can_manage(user, meeting)


def allowed_actions(user, meeting: Meeting) -> list[Action]:
    return [a for a in available_actions(meeting.state) if can_act(user, meeting, a)]


def can_schedule(user) -> bool:
    return organises_for(user, user.organisation) if user.is_authenticated else False


def can_respond(user, invitation: Invitation) -> bool:
    return invitation.user_id == user.id and invitation.meeting.state is State.SCHEDULED


def can_attach(user, meeting: Meeting) -> bool:
    """Meeting documents: the liaison staff of either side, while the meeting is not cancelled."""
    return (meeting.state is not State.CANCELLED and can_view(user, meeting)
            and (organises_for(user, meeting.organiser_org) or organises_for(user, meeting.counterpart_org)))
