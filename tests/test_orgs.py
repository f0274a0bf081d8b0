"""Organisations: the tree and its rules, pairing, scoping, administration and sheet import."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from oversight.db import commit, db
from oversight.errors import Conflict, NotAllowed, ValidationFailed
from oversight.orgs import queries, services
from oversight.orgs.imports import import_organisations, read_sheet
from oversight.orgs.models import Organisation, OrgKind, OrgLevel
from oversight.orgs.permissions import can_see_organisation_work

from .conftest import text_of


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


# --- rules of the tree ---------------------------------------------------------------------------

def test_duplicate_code_is_refused_in_chinese(world):
    with pytest.raises(ValidationFailed, match="已被“市人大常委会”使用") as exc:
        services.create_organisation(actor=world.admin, code="c-npc", name="重复", kind=OrgKind.NPC_COMMITTEE,
                                     level=OrgLevel.CITY)
    assert exc.value.errors.keys() == {"code"}


@pytest.mark.parametrize("kind,parent_attr,message", [
    (OrgKind.PROCURATORATE_DEPARTMENT, "npc", "不能设在"),
    (OrgKind.NPC_BODY, None, "必须有上级机构"),
    (OrgKind.LIAISON_STATION, "proc", "不能设在"),
])
def test_kind_must_fit_its_parent(world, kind, parent_attr, message):
    parent = getattr(world, parent_attr) if parent_attr else None
    with pytest.raises(ValidationFailed, match=message):
        services.create_organisation(actor=world.admin, code="NEW-1", name="新机构", kind=kind, parent=parent)


def test_committees_and_procuratorates_need_a_level(world):
    with pytest.raises(ValidationFailed, match="须注明层级"):
        services.create_organisation(actor=world.admin, code="NEW-2", name="新院", kind=OrgKind.PROCURATORATE)


def test_paths_follow_the_tree(world):
    assert world.npc.path == f"/{world.npc.id}/"
    assert world.body.path == f"/{world.npc.id}/{world.body.id}/"
    assert world.d_npc.depth == 1


def test_moving_into_own_subtree_is_a_cycle(world):
    for target in (world.npc, world.body, world.d_npc):
        with pytest.raises(ValidationFailed, match="循环"):
            services.move_organisation(world.npc, actor=world.admin, expected_version=world.npc.version,
                                       new_parent=target)
        db.session.rollback()
    assert db.session.get(Organisation, world.npc.id).parent_id is None


def test_move_rewrites_the_whole_subtree(world, make_org):
    sub = make_org("D-NPC-BODY", "区人大监察司法工委", kind=OrgKind.NPC_BODY, parent=world.d_npc)
    other = make_org("O-NPC", "另一市人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY)
    services.move_organisation(world.d_npc, actor=world.admin, expected_version=world.d_npc.version, new_parent=other)
    commit()
    d_npc, sub = db.session.get(Organisation, world.d_npc.id), db.session.get(Organisation, sub.id)
    assert d_npc.path == f"/{other.id}/{d_npc.id}/"
    assert sub.path == f"/{other.id}/{d_npc.id}/{sub.id}/"
    assert sub not in [o for o in queries.tree() if o.path.startswith(world.npc.path)]


def test_stale_form_conflicts(world):
    old = world.body.version
    services.update_organisation(world.body, actor=world.admin, expected_version=old, code="C-NPC-JSW",
                                 name="新名称", level=OrgLevel.NONE)
    commit()
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update_organisation(world.body, actor=world.admin, expected_version=old, code="C-NPC-JSW",
                                     name="旧表单", level=OrgLevel.NONE)


def test_pairing_is_same_level_and_one_to_one(world, make_org):
    county_p = make_org("E-P", "另一区检察院", kind=OrgKind.PROCURATORATE, level=OrgLevel.COUNTY, parent=world.proc)
    with pytest.raises(ValidationFailed, match="同级"):
        services.set_pairing(world.npc, actor=world.admin, procuratorate=county_p)
    other_city = make_org("O-NPC", "另一市人大常委会", kind=OrgKind.NPC_COMMITTEE, level=OrgLevel.CITY)
    with pytest.raises(ValidationFailed, match="已与“市人大常委会”配对"):
        services.set_pairing(other_city, actor=world.admin, procuratorate=world.proc)
    assert queries.pairing_of(world.proc).id == world.npc.id
    assert queries.pairing_of(world.npc).id == world.proc.id


def test_deactivation_needs_an_empty_unit(world):
    with pytest.raises(ValidationFailed, match="启用中的账户"):
        services.set_active(world.body, actor=world.admin, expected_version=world.body.version, active=False)
    with pytest.raises(ValidationFailed, match="启用中的下级机构"):
        services.set_active(world.npc, actor=world.admin, expected_version=world.npc.version, active=False)
    services.set_active(world.station, actor=world.admin, expected_version=world.station.version, active=False)
    commit()
    assert not db.session.get(Organisation, world.station.id).active


def test_referenced_organisations_are_never_deleted(world, make_org):
    with pytest.raises(ValidationFailed, match="不能删除"):
        services.delete_organisation(world.proc, actor=world.admin)  # paired and has children
    with pytest.raises(ValidationFailed, match="不能删除"):
        services.delete_organisation(world.body, actor=world.admin)  # has users
    spare = make_org("SPARE", "误建机构", kind=OrgKind.EXTERNAL_UNIT)
    services.delete_organisation(spare, actor=world.admin)
    commit()
    assert queries.get_by_code("SPARE") is None


def test_only_admins_change_the_tree(world):
    with pytest.raises(NotAllowed):
        services.create_organisation(actor=world.staff, code="X", name="x", kind=OrgKind.EXTERNAL_UNIT)


# --- scope ---------------------------------------------------------------------------------------

def test_users_see_their_institution_and_below(world, make_user):
    from oversight.accounts.models import Role
    from oversight.orgs.permissions import acts_for, institution_of

    city_contact = world.contact                      # at the city procuratorate
    district_staff = make_user("dstaff", world.d_npc, roles={Role.NPC_STAFF})
    body_staff = world.staff                          # at a working body of the city committee
    assert institution_of(world.body).id == world.npc.id
    assert can_see_organisation_work(city_contact, world.d_proc)
    assert can_see_organisation_work(city_contact, world.dept)
    assert not can_see_organisation_work(district_staff, world.npc)
    assert can_see_organisation_work(body_staff, world.npc)
    assert can_see_organisation_work(body_staff, world.d_npc)
    assert not can_see_organisation_work(body_staff, world.proc)
    # Acting is narrower: only for units the user is inside of.
    assert acts_for(body_staff, world.npc) and acts_for(body_staff, world.body)
    assert not acts_for(body_staff, world.d_npc)
    assert not acts_for(city_contact, world.d_proc)

    def visible(user):
        return set(db.session.scalars(queries.scoped(sa.select(Organisation.code), Organisation.id, user=user)))

    assert visible(city_contact) == {"C-P", "C-P-D1", "D-P"}
    assert visible(district_staff) == {"D-NPC"}
    assert visible(body_staff) == {"C-NPC", "C-NPC-JSW", "C-NPC-LS1", "D-NPC"}


# --- import --------------------------------------------------------------------------------------

HEADING = ["代码", "名称", "简称", "类型", "层级", "上级代码", "配对检察院代码", "编号前缀"]


def _csv(rows) -> bytes:
    return "\n".join(",".join(r) for r in [HEADING] + rows).encode("utf-8-sig")


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [HEADING] + rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROWS = [
    ["X-P", "新区人民检察院", "新区院", "人民检察院", "区县级", "C-P", "", "XQJC"],
    ["X-NPC", "新区人大常委会", "", "人大常委会", "区县级", "C-NPC", "X-P", "XQRD"],
    ["X-NPC-LS", "新区某街道代表联络站", "", "代表联络站", "", "X-NPC", "", ""],
]


@pytest.mark.parametrize("maker,filename", [(_csv, "orgs.csv"), (_xlsx, "orgs.xlsx")])
def test_import_creates_the_sheet(world, maker, filename):
    report = import_organisations(read_sheet(filename, maker(GOOD_ROWS)), actor=world.admin)
    assert report.ok, report.errors
    commit()
    assert report.created == 3
    assert queries.get_by_code("X-NPC").paired_procuratorate.code == "X-P"
    assert queries.get_by_code("X-NPC-LS").parent.code == "X-NPC"


def test_import_reports_every_bad_row_and_saves_nothing(world):
    before = _count()
    rows = GOOD_ROWS + [
        ["C-NPC", "重复代码", "", "人大常委会", "市级", "", "", ""],           # row 5: duplicate of an existing code
        ["Y-1", "未知类型", "", "法院", "", "", "", ""],                      # row 6: unknown kind
        ["Y-2", "无上级部门", "", "检察院内设部门", "", "NOPE", "", ""],        # row 7: unknown parent
        ["X-P", "表内重复", "", "人民检察院", "区县级", "C-P", "", ""],          # row 8: duplicate within the sheet
    ]
    report = import_organisations(read_sheet("orgs.csv", _csv(rows)), actor=world.admin)
    assert not report.ok
    by_row = {p.row: p.message for p in report.errors}
    assert set(by_row) == {5, 6, 7, 8}
    assert "已被" in by_row[5] and "无法识别" in by_row[6] and "NOPE" in by_row[7] and "第 2 行重复" in by_row[8]
    db.session.rollback()
    assert _count() == before


def test_import_rejects_a_sheet_without_required_columns(world):
    report = import_organisations([["名字", "类别"], ["a", "b"]], actor=world.admin)
    assert not report.ok and "缺少必需的列" in report.errors[0].message


def test_unreadable_file_is_a_clear_error(world):
    with pytest.raises(ValidationFailed, match="无法读取"):
        read_sheet("orgs.xlsx", b"this is not a spreadsheet")


def test_gb18030_csv_from_excel(world):
    content = "\n".join(",".join(r) for r in [HEADING] + GOOD_ROWS[:1]).encode("gb18030")
    report = import_organisations(read_sheet("orgs.csv", content), actor=world.admin)
    assert report.ok and report.created == 1


# --- pages ---------------------------------------------------------------------------------------

def test_directory_is_visible_to_every_user(world, client, login):
    login(world.staff)
    page = client.get("/organisations/")
    assert "市人大常委会" in text_of(page) and "新建机构" not in text_of(page)
    assert client.get("/organisations/new").status_code == 403


def test_admin_creates_and_sees_field_errors(world, client, login):
    login(world.admin)
    page = client.post("/organisations/new", data={"code": "C-NPC", "name": "重复", "kind": "npc_committee",
                                                   "level": "city", "parent": 0, "serial_prefix": ""})
    assert page.status_code == 200 and "已被“市人大常委会”使用" in text_of(page)
    created = client.post("/organisations/new", data={"code": "C-NPC-FGW", "name": "市人大法工委", "kind": "npc_body",
                                                      "level": "none", "parent": world.npc.id, "serial_prefix": ""})
    assert created.status_code == 302
    assert queries.get_by_code("C-NPC-FGW").parent_id == world.npc.id


def test_move_cycle_through_the_page(world, client, login):
    login(world.admin)
    r = client.post(f"/organisations/{world.npc.id}/move", data={"parent": world.d_npc.id, "version": world.npc.version})
    assert r.status_code == 302
    assert "循环" in text_of(client.get(r.location))
    assert db.session.get(Organisation, world.npc.id).parent_id is None


def test_import_page_shows_the_row_report(world, client, login):
    login(world.admin)
    bad = _csv([["Y-1", "未知类型", "", "法院", "", "", "", ""]])
    page = client.post("/organisations/import", data={"sheet": (io.BytesIO(bad), "orgs.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "未导入" in text_of(page) and "无法识别" in text_of(page)
    assert queries.get_by_code("Y-1") is None
    wrong_type = client.post("/organisations/import", data={"sheet": (io.BytesIO(b"x"), "orgs.pdf")},
                             content_type="multipart/form-data")
    assert "只支持 XLSX 或 CSV" in text_of(wrong_type)
