"""The liaison stage of `flask demo scale`: meetings with agenda, invitations, minutes and action items
in bulk, audited through the chain (which stays intact), served by the liaison pages, skipped when there."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from liaison.meetings.models import AgendaItem, Invitation, Meeting
from liaison.minutes.models import ActionItem, Decision, Minutes
from oversight.accounts.models import User
from oversight.audit.models import AuditEntry
from oversight.audit.services import verify
from oversight.db import db
from oversight.demo.data import DEMO_PASSWORD
from oversight.demo.scale import generate
from oversight.demo.scale.profiles import PROFILES, Profile

TINY = Profile("small", extra_districts=1, deputies=40, referrals=120, years=2, chunk=60, meetings=80)


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(PROFILES, "small", TINY)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_stage_makes_meetings_the_services_could_have_made(app, runner, client, login, tiny):
    assert "liaison.scale:stage" in generate.STAGES
    result = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert result.exit_code == 0, result.output
    assert "liaison: 80 meetings" in result.output
    assert verify().ok
    assert count(Meeting) == 80 and count(AgendaItem) == 240
    states = set(db.session.scalars(sa.select(Meeting.state).distinct()))
    assert {"held", "scheduled"} <= {s.value for s in states}
    # Every held meeting older than two weeks has approved minutes; their decisions are action items.
    assert count(Minutes, Minutes.state == "approved") > 0
    assert count(ActionItem) == count(Decision) > 0
    assert count(ActionItem, ActionItem.state == "open") > 0 and count(ActionItem, ActionItem.state == "done") > 0
    assert count(Invitation, Invitation.attended.is_(True)) > 0
    assert count(AgendaItem, AgendaItem.referral_id.is_not(None)) > 0
    schedules = count(AuditEntry, AuditEntry.action == "liaison.meeting.schedule")
    assert schedules == 80 and count(AuditEntry, AuditEntry.action == "liaison.minutes.approve") == count(
        Minutes, Minutes.state == "approved")
    # A scheduled meeting lies after every held one: the generator's "until" splits past from future.
    last_held = db.session.scalar(sa.select(sa.func.max(Meeting.ends_at)).where(Meeting.state == "held"))
    first_scheduled = db.session.scalar(sa.select(sa.func.min(Meeting.starts_at)).where(Meeting.state == "scheduled"))
    assert last_held < first_scheduled

    liaison = db.session.scalar(sa.select(User).where(User.username == "npc.liaison"))
    login(liaison, DEMO_PASSWORD)
    held = db.session.scalar(sa.select(Meeting).join(Minutes, Minutes.meeting_id == Meeting.id)
                             .where(Meeting.organiser_org_id == liaison.organisation.parent_id)
                             .order_by(Meeting.starts_at.desc()).limit(1))
    for url in ("/liaison/meetings/", "/liaison/meetings/?view=month", f"/liaison/meetings/{held.id}",
                f"/liaison/minutes/{held.id}", "/liaison/minutes/items"):
        assert client.get(url).status_code == 200, url

    again = runner.invoke(args=["demo", "scale", "--profile", "small"])
    assert "nothing to do" in again.output and count(Meeting) == 80
    # The stage on its own skips meetings it already made.
    ctx = generate.Context(TINY, 1, held.starts_at.date(), lambda _m: None)
    from liaison.scale import stage
    assert stage(ctx) == 0
