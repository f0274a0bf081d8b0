"""Shared fixtures of the liaison tests: the people of both sides and a meeting factory."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from oversight.accounts.models import Role
from oversight.db import commit

UTC = dt.timezone.utc


def at(day: int, hour: int, month: int = 12, year: int = 2026) -> dt.datetime:
    """A Beijing wall-clock time as an aware UTC instant."""
    return dt.datetime(year, month, day, hour, tzinfo=UTC) - dt.timedelta(hours=8)


@pytest.fixture
def cast(world, make_user, make_org):
    from oversight.orgs.models import OrgKind, OrgLevel

    other = make_org("X-NPC", "外市人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY)
    return SimpleNamespace(
        world=world, staff=world.staff, contact=world.contact,
        reviewer=make_user("reviewer", world.body, roles={Role.NPC_REVIEWER}, display_name="周审核"),
        staff2=make_user("staff2", world.body, roles={Role.NPC_STAFF}, display_name="陈联络"),
        handler=make_user("handler", world.dept, roles={Role.PROCURATORATE_HANDLER}, display_name="赵承办"),
        deputy=make_user("deputy", world.station, roles={Role.DEPUTY}, display_name="王代表"),
        d_staff=make_user("d_staff", world.d_npc, roles={Role.NPC_STAFF}),
        outsider=make_user("outsider", other, roles={Role.NPC_STAFF}, display_name="外市人员"),
    )


@pytest.fixture
def make_meeting(cast):
    from liaison.meetings import services
    from liaison.meetings.workflow import MeetingKind

    def make(*, actor=None, title="联络会议", starts_at=None, ends_at=None, counterpart=None, invite=(), agenda=(),
             kind=MeetingKind.LIAISON_MEETING):
        starts_at = starts_at or at(10, 9)
        m = services.schedule(actor=actor or cast.staff, kind=kind, title=title, starts_at=starts_at,
                              ends_at=ends_at or starts_at + dt.timedelta(hours=2),
                              counterpart=counterpart or cast.world.proc, place="市人大常委会第一会议室")
        for line in agenda:
            services.add_agenda_item(m, actor=actor or cast.staff, title=line)
        if invite:
            services.invite(m, actor=actor or cast.staff, users=list(invite))
        commit()
        return m

    return make
