"""Liaison predicates: who sees a meeting, who runs it, who adds documents, who acts on action items."""
from __future__ import annotations

import pytest

from liaison.meetings import permissions as mp
from liaison.meetings import services as meetings
from liaison.meetings.workflow import Action
from liaison.minutes import permissions as np
from liaison.minutes.workflow import ItemAction
from liaison.permissions import can_use_liaison
from liaison.registry.permissions import can_designate, can_view_directory
from oversight.db import commit

from .liaison_fixtures import at, cast, make_meeting  # noqa: F401  (fixtures)


def test_who_sees_and_runs_a_meeting(cast, make_meeting):
    m = make_meeting(invite=[cast.deputy])
    seen = {name: mp.can_view(getattr(cast, name), m) for name in
            ("staff", "staff2", "reviewer", "contact", "handler", "deputy", "d_staff", "outsider")}
    assert seen == {"staff": True, "staff2": True, "reviewer": True, "contact": True, "handler": False,
                    "deputy": True, "d_staff": False, "outsider": False}
    assert [n for n in ("staff", "staff2", "reviewer", "contact", "deputy") if mp.can_manage(getattr(cast, n), m)] \
        == ["staff", "staff2"]
    assert mp.allowed_actions(cast.staff, m) == [Action.EDIT, Action.INVITE, Action.ADD_AGENDA, Action.CANCEL,
                                                 Action.HOLD]
    assert mp.allowed_actions(cast.contact, m) == []
    assert mp.can_attach(cast.contact, m) and not mp.can_attach(cast.deputy, m)
    meetings.cancel(m, actor=cast.staff, reason="改期")
    commit()
    assert mp.allowed_actions(cast.staff, m) == [] and not mp.can_attach(cast.staff, m)


@pytest.mark.parametrize("name, expected", [("staff", True), ("contact", True), ("handler", True), ("deputy", True),
                                            ("reviewer", True)])
def test_liaison_pages_are_for_both_sides(cast, name, expected):
    assert can_use_liaison(getattr(cast, name)) is expected
    assert not can_use_liaison(cast.world.admin) and not can_use_liaison(cast.world.auditor)


def test_registry_predicates(cast):
    w = cast.world
    assert can_designate(cast.staff, w.npc) and can_designate(cast.contact, w.proc)
    assert not can_designate(cast.contact, w.npc) and not can_designate(cast.reviewer, w.npc)
    assert not can_designate(cast.d_staff, w.npc)  # a district committee never acts for the city
    assert can_view_directory(cast.reviewer) and not can_view_directory(cast.deputy)


def test_spawning_a_referral_follows_the_referral_rules(cast):
    assert np.spawn_direction(cast.staff).value == "npc_to_procuratorate"
    assert np.spawn_direction(cast.contact).value == "procuratorate_to_npc"
    assert np.spawn_direction(cast.handler) is None and np.spawn_direction(cast.deputy) is None
    assert {a for a in ItemAction} == {ItemAction.COMPLETE, ItemAction.DROP, ItemAction.SPAWN_REFERRAL,
                                      ItemAction.SPAWN_TOPIC}
