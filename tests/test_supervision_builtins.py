"""Each built-in model on crafted data: a situation where it must fire and one where it must not."""
from __future__ import annotations

import datetime as dt

from issues.models import ProgressReport, TopicSource
from issues.services import lists, topics
from oversight.db import commit, db
from oversight.referrals.workflow import Direction, State
from oversight.supervision import registry
from oversight.supervision.registry import Context, Period
from tests import supervision_data as data
from tests.supervision_data import AS_OF, PERIOD


def hits(key: str, **params):
    fn = registry.get(key)
    values = fn.validate({**fn.defaults(), **params})
    return fn.fn(Context(db.session), values, Period.parse(PERIOD))


# --- repeated 不满意 --------------------------------------------------------------------------

def test_repeated_dissatisfaction_fires_for_the_unit_and_the_type(world):
    rs = [data.referral(sender=world.npc, receiver=world.proc) for _ in range(3)]
    for n, r in enumerate(rs):
        data.dissatisfied(r, 10 + n, closes=(n == 2))
    commit()
    found = {h.key: h for h in hits("repeated_dissatisfaction")}
    assert set(found) == {f"unit:{world.proc.id}", f"type:{data.rtype('supervision_lead').id}"}
    unit = found[f"unit:{world.proc.id}"]
    assert {e.id for e in unit.evidence if e.kind == "referral"} == {r.id for r in rs}
    assert "3 次" in unit.title


def test_repeated_dissatisfaction_stays_quiet_below_the_count_outside_the_window_and_for_satisfied(world):
    rs = [data.referral(sender=world.npc, receiver=world.proc) for _ in range(5)]
    data.dissatisfied(rs[0], 10)
    data.dissatisfied(rs[1], 20)
    data.dissatisfied(rs[2], 400)          # outside the 180-day window
    data.satisfied(rs[3], 5)
    data.satisfied(rs[4], 6)
    # Two 不满意 at another unit and two here: per unit and per type each stay below three … except the type.
    other = [data.referral(sender=world.npc, receiver=world.d_proc, code="deputy_suggestion") for _ in range(2)]
    for r in other:
        data.dissatisfied(r, 15)
    commit()
    assert hits("repeated_dissatisfaction") == []
    assert hits("repeated_dissatisfaction", min_count=2) != []


# --- overdue clusters ---------------------------------------------------------------------------

def test_overdue_cluster_fires_for_one_unit_and_type(world):
    late = [data.referral(sender=world.npc, receiver=world.proc, due=AS_OF - dt.timedelta(days=d)) for d in range(3, 8)]
    commit()
    found = hits("overdue_cluster")
    assert [h.key for h in found] == [f"unit:{world.proc.id}:type:{data.rtype('supervision_lead').id}"]
    assert {e.id for e in found[0].evidence if e.kind == "referral"} == {r.id for r in late}


def test_overdue_cluster_ignores_closed_not_yet_due_and_scattered(world):
    for d in range(3, 7):     # four overdue: below five
        data.referral(sender=world.npc, receiver=world.proc, due=AS_OF - dt.timedelta(days=d))
    data.referral(sender=world.npc, receiver=world.proc, due=AS_OF + dt.timedelta(days=3))      # not due
    data.referral(sender=world.npc, receiver=world.proc, due=AS_OF - dt.timedelta(days=9), state=State.CLOSED)
    data.referral(sender=world.npc, receiver=world.proc, due=AS_OF - dt.timedelta(days=9), code="deputy_suggestion")
    data.referral(sender=world.npc, receiver=world.d_proc, due=AS_OF - dt.timedelta(days=9))
    commit()
    assert hits("overdue_cluster") == []


# --- stalled rectification ----------------------------------------------------------------------

def _item(world, staff, *, due_days_before: int, unit=None, lead_body=None):
    topic = topics.create_topic(actor=staff, title="整改测试议题", lead_body=lead_body or world.body)
    problem = lists.add_problem(topic, actor=staff, description="问题", evidence="")
    resp = lists.add_responsibility(problem, actor=staff, lead_unit=unit or world.proc)
    item = lists.add_item(resp, actor=staff, measures="落实整改措施", due_date=AS_OF + dt.timedelta(days=30))
    # Issued long ago; the due date is set as it stands now (the lists refuse past dates when drafting).
    topic.issued_version, topic.state = 1, "issued"
    item.issued_in, item.state, item.due_date = 1, "in_progress", AS_OF - dt.timedelta(days=due_days_before)
    db.session.flush()
    return item


def test_stalled_rectification_fires_on_overdue_items_without_recent_progress(world):
    item = _item(world, world.staff, due_days_before=40)
    db.session.add(ProgressReport(item_id=item.id, percent=10, text="已部署", reported_by_id=world.contact.id,
                                  reported_at=data.at(45)))
    commit()
    found = hits("stalled_rectification")
    assert [h.key for h in found] == [f"unit:{world.proc.id}"]
    assert [e.id for e in found[0].evidence if e.kind == "rectification_item"] == [item.id]


def test_stalled_rectification_quiet_with_recent_progress_or_not_yet_due_or_signed_off(world):
    reported = _item(world, world.staff, due_days_before=40)
    db.session.add(ProgressReport(item_id=reported.id, percent=50, text="推进中", reported_by_id=world.contact.id,
                                  reported_at=data.at(10)))
    _item(world, world.staff, due_days_before=-5)              # due in five days
    done = _item(world, world.staff, due_days_before=60)
    done.state, done.reported_percent, done.accepted_percent = "signed_off", 100, 100
    commit()
    assert hits("stalled_rectification") == []


# --- governance notices without a topic ---------------------------------------------------------

def _notice(world, days_before: int):
    return data.referral(sender=world.proc, receiver=world.npc, code="governance_notice", state=State.RECEIVED,
                         direction=Direction.PROCURATORATE_TO_NPC, title="社会治理薄弱环节通报：校园周边食品安全隐患",
                         sent_days_before=days_before)


def test_governance_notice_without_a_topic_for_sixty_days_fires(world):
    old = _notice(world, 75)
    late = _notice(world, 90)
    commit()
    topic = topics.create_topic(actor=world.staff, title="迟到的议题", lead_body=world.body)
    topics.link_referral(topic, actor=world.staff, referral=late)   # opened today: 90 days after, too late
    commit()
    found = hits("unaddressed_governance_notice")
    assert sorted(h.key for h in found) == sorted([f"referral:{old.id}", f"referral:{late.id}"])


def test_governance_notice_taken_up_in_time_or_still_young_is_quiet(world):
    young = _notice(world, 20)
    taken = _notice(world, 75)
    commit()
    topic = topics.create_topic(actor=world.staff, title="食品安全监督", lead_body=world.body)
    topics.link_referral(topic, actor=world.staff, referral=taken)
    commit()
    db.session.get(type(topic), topic.id).created_at = data.at(50)   # opened 25 days after the notice
    data.referral(sender=world.proc, receiver=world.npc, code="work_report", state=State.RECEIVED,
                  direction=Direction.PROCURATORATE_TO_NPC, sent_days_before=200)   # not a governance notice
    commit()
    assert young.id and db.session.query(TopicSource).count() == 1
    assert hits("unaddressed_governance_notice") == []


# --- clue hotspots ------------------------------------------------------------------------------

def test_clue_hotspot_fires_above_its_own_baseline(world):
    for n in range(8):
        data.clue(world.npc, title=f"河道排污{n}", description="河道排污", place="江北区", days_before=n + 1)
    for n in range(6):      # baseline: six in the previous six months → one a window
        data.clue(world.npc, title=f"旧线索{n}", description="排污", place="江北区", days_before=40 + 30 * n)
    commit()
    found = hits("clue_hotspot")
    assert [h.key for h in found] == ["public_interest@江北区"]
    assert len(found[0].evidence) == 8


def test_clue_hotspot_quiet_when_usual_for_the_place_or_few(world):
    for n in range(6):      # busy, but as busy as always
        data.clue(world.npc, title=f"本月{n}", description="占道", place="渝中区", category="administrative",
                  days_before=n + 1)
    for n in range(36):
        data.clue(world.npc, title=f"往月{n}", description="占道", place="渝中区", category="administrative",
                  days_before=35 + 5 * n)
    for n in range(3):      # above baseline but below five
        data.clue(world.npc, title=f"少量{n}", description="未成年人", place="南岸区", category="minors", days_before=2)
    commit()
    assert hits("clue_hotspot") == []


# --- near-duplicate clues -----------------------------------------------------------------------

DUP_A = "某小区消防通道长期被车辆占用，物业不管，存在严重安全隐患，请求检察机关督促整改。"
DUP_B = "反映：某小区的消防通道长期被车辆占用,物业不管理,存在严重的安全隐患,请检察机关督促整改!"


def test_near_duplicate_clues_fire_on_a_rephrased_clue(world):
    a = data.clue(world.npc, title="消防通道被占", description=DUP_A, days_before=5)
    b = data.clue(world.npc, title="小区消防通道被占用", description=DUP_B, days_before=2)
    data.clue(world.npc, title="拖欠工资", description="某企业拖欠农民工工资三个月，劳动监察部门未处理。")
    commit()
    found = hits("clue_near_duplicates")
    assert [h.key for h in found] == [f"clue:{a.id}"]
    assert [e.id for e in found[0].evidence] == [a.id, b.id]


def test_near_duplicate_clues_quiet_on_different_matters_and_merged_ones(world):
    first = data.clue(world.npc, title="消防通道被占", description=DUP_A)
    data.clue(world.npc, title="河道排污", description="某河道有企业非法排污，河水发黑发臭，附近居民反映多次无果。")
    data.clue(world.npc, title="重复", description=DUP_B, state="merged", duplicate_of_id=first.id)    # already merged by staff
    data.clue(world.npc, title="消防通道", description=DUP_B, days_before=500)   # outside the window
    commit()
    assert hits("clue_near_duplicates") == []


def test_every_builtin_has_bounds_and_a_valid_schedule(app):
    from oversight.supervision import services

    for fn in registry.all_functions():
        assert fn.params and all(p.minimum <= p.default <= p.maximum for p in fn.params), fn.key
        services.cron_trigger(fn.cron)
        assert str(fn.name) and str(fn.purpose) and str(fn.legal_basis)



# --- scope: the committee responsible for each hit's evidence ------------------------------------
# A hit over one committee's records is scoped to that committee; a hit spanning several to their
# lowest common ancestor committee (the city here), never split: see builtins/_common.Scopes.

def scope_of(key: str, **params) -> dict[str, int | None]:
    return {h.key: h.scope_org_id for h in hits(key, **params)}


def test_scope_of_dissatisfaction_is_the_units_committee_and_the_common_one_for_a_type(world):
    city = [data.referral(sender=world.body, receiver=world.proc) for _ in range(2)]
    district = [data.referral(sender=world.d_npc, receiver=world.d_proc) for _ in range(2)]
    for n, r in enumerate(city + district):
        data.dissatisfied(r, 10 + n)
    commit()
    found = scope_of("repeated_dissatisfaction", min_count=2)
    assert found == {f"unit:{world.proc.id}": world.npc.id, f"unit:{world.d_proc.id}": world.d_npc.id,
                     f"type:{data.rtype('supervision_lead').id}": world.npc.id}     # both levels: the city


def test_scope_of_dissatisfaction_at_a_district_unit_rated_by_the_city_is_the_city(world):
    for n, r in enumerate([data.referral(sender=world.npc, receiver=world.d_proc) for _ in range(3)]):
        data.dissatisfied(r, 10 + n)
    commit()
    # The district procuratorate's committee is the district's, but the city's own referrals are evidence.
    assert scope_of("repeated_dissatisfaction")[f"unit:{world.d_proc.id}"] == world.npc.id


def test_scope_of_overdue_clusters_per_level(world):
    for unit, sender in ((world.proc, world.npc), (world.d_proc, world.d_npc)):
        for d in range(5):
            data.referral(sender=sender, receiver=unit, due=AS_OF - dt.timedelta(days=3 + d))
    commit()
    t = data.rtype("supervision_lead").id
    assert scope_of("overdue_cluster") == {f"unit:{world.proc.id}:type:{t}": world.npc.id,
                                           f"unit:{world.d_proc.id}:type:{t}": world.d_npc.id}


def test_scope_of_an_unpaired_branch_procuratorate_is_the_committee_paired_above_it(world, make_org):
    from oversight.orgs.models import OrgKind, OrgLevel

    branch = make_org("C-P-FY", "市检察院分院", kind=OrgKind.PROCURATORATE, level=OrgLevel.BRANCH, parent=world.proc)
    dept = make_org("C-P-FY-1", "分院第一部", kind=OrgKind.PROCURATORATE_DEPARTMENT, parent=branch)
    for d in range(5):
        data.referral(sender=world.npc, receiver=dept, due=AS_OF - dt.timedelta(days=3 + d))
    commit()
    assert list(scope_of("overdue_cluster").values()) == [world.npc.id]


def _district(world, make_org, make_user):
    from oversight.accounts.models import Role
    from oversight.orgs.models import OrgKind

    body = make_org("D-NPC-JSW", "区人大监察司法委", kind=OrgKind.NPC_BODY, parent=world.d_npc)
    return body, make_user("d_staff", body, roles={Role.NPC_STAFF})


def test_scope_of_stalled_rectification_is_the_topics_lead_committee(world, make_org, make_user):
    d_body, d_staff = _district(world, make_org, make_user)
    _item(world, world.staff, due_days_before=40)                                    # city topic, city unit
    _item(world, d_staff, due_days_before=40, unit=world.d_proc, lead_body=d_body)    # district topic
    commit()
    assert scope_of("stalled_rectification") == {f"unit:{world.proc.id}": world.npc.id,
                                                 f"unit:{world.d_proc.id}": world.d_npc.id}
    # The district procuratorate also answers a city topic: its items span both committees.
    _item(world, world.staff, due_days_before=40, unit=world.d_proc)
    commit()
    assert scope_of("stalled_rectification")[f"unit:{world.d_proc.id}"] == world.npc.id


def test_scope_of_a_governance_notice_is_its_receiving_committee(world):
    city = _notice(world, 75)
    district = data.referral(sender=world.d_proc, receiver=world.d_npc, code="governance_notice",
                             state=State.RECEIVED, direction=Direction.PROCURATORATE_TO_NPC, title="区通报",
                             sent_days_before=80)
    commit()
    assert scope_of("unaddressed_governance_notice") == {f"referral:{city.id}": world.npc.id,
                                                         f"referral:{district.id}": world.d_npc.id}


def test_scope_of_clue_hotspots_is_the_receiving_committee_or_the_common_one(world):
    for n in range(8):
        data.clue(world.d_npc, title=f"区排污{n}", description="排污", place="江北区", days_before=n + 1)
    for n in range(8):
        data.clue(world.d_npc, title=f"区占道{n}", description="占道", place="渝中区", category="administrative",
                  days_before=n + 1)
    for n in range(2):
        data.clue(world.npc, title=f"市占道{n}", description="占道", place="渝中区", category="administrative",
                  days_before=n + 1)
    commit()
    assert scope_of("clue_hotspot") == {"public_interest@江北区": world.d_npc.id,
                                        "administrative@渝中区": world.npc.id}


def test_scope_of_near_duplicate_clues_is_the_receiving_committee_or_the_common_one(world):
    a = data.clue(world.d_npc, title="消防通道被占", description=DUP_A, days_before=5)
    data.clue(world.d_npc, title="小区消防通道被占用", description=DUP_B, days_before=2)
    commit()
    assert scope_of("clue_near_duplicates") == {f"clue:{a.id}": world.d_npc.id}
    data.clue(world.npc, title="又一次：消防通道", description=DUP_B + "。", days_before=1)   # sent to the city too
    commit()
    assert scope_of("clue_near_duplicates") == {f"clue:{a.id}": world.npc.id}


def test_evidence_under_no_common_committee_leaves_the_scope_empty(world, make_org):
    from oversight.orgs.models import OrgKind, OrgLevel
    from oversight.supervision.builtins._common import Scopes

    other = make_org("X-NPC", "另一市人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY)
    lone = make_org("X-P", "未配对的检察院", kind=OrgKind.PROCURATORATE, level=OrgLevel.CITY)
    unit = make_org("X-GOV", "某政府部门", kind=OrgKind.EXTERNAL_UNIT)
    s = Scopes(db.session)
    assert s.common({world.d_npc.id, world.npc.id}) == world.npc.id
    assert s.common({world.d_npc.id}) == world.d_npc.id
    assert s.common({world.npc.id, other.id}) is None            # two trees: administrators only
    assert s.committee(lone.id) is None and s.committee(unit.id) is None
    assert s.committee(world.station.id) == world.npc.id and s.committee(world.dept.id) == world.npc.id
    assert s.common({world.npc.id, None}) is None
