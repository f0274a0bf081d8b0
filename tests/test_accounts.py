"""Accounts: roles and their rules, login and lockout, passwords, administration."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from oversight.accounts import services
from oversight.accounts.models import Role, User
from oversight.db import commit, db, utcnow
from oversight.errors import Conflict, NotAllowed, ValidationFailed

from .conftest import PASSWORD, text_of


# --- role rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize("pair", [(Role.SYSTEM_ADMIN, Role.AUDITOR), (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
                                  (Role.SECURITY_ADMIN, Role.AUDITOR)])
def test_separated_roles_exclude_each_other(world, pair):
    with pytest.raises(ValidationFailed, match="三员分立"):
        services.create_user(actor=world.admin, username="clash", display_name="某人", organisation=world.body,
                             roles=set(pair), password=PASSWORD)
    db.session.rollback()
    assert db.session.scalar(sa.select(User).where(User.username == "clash")) is None


def test_a_user_may_hold_several_ordinary_roles(world):
    user = services.create_user(actor=world.admin, username="multi", display_name="某人", organisation=world.body,
                                roles={Role.NPC_STAFF, Role.NPC_REVIEWER}, password=PASSWORD)
    commit()
    assert user.roles == {Role.NPC_STAFF, Role.NPC_REVIEWER}


def test_role_must_match_the_side(world):
    with pytest.raises(ValidationFailed, match="检察院一方"):
        services.create_user(actor=world.admin, username="x1", display_name="某人", organisation=world.body,
                             roles={Role.PROCURATORATE_CONTACT}, password=PASSWORD)
    with pytest.raises(ValidationFailed, match="人大一方"):
        services.create_user(actor=world.admin, username="x2", display_name="某人", organisation=world.proc,
                             roles={Role.NPC_STAFF}, password=PASSWORD)


def test_deputy_needs_a_profile_and_a_real_station(world):
    with pytest.raises(ValidationFailed, match="代表团"):
        services.create_user(actor=world.admin, username="d1", display_name="代表", organisation=world.station,
                             roles={Role.DEPUTY}, password=PASSWORD)
    with pytest.raises(ValidationFailed, match="不是代表联络站"):
        services.create_user(actor=world.admin, username="d2", display_name="代表", organisation=world.station,
                             roles={Role.DEPUTY}, password=PASSWORD,
                             deputy=services.DeputyInfo("某代表团", "第六届", world.body))
    deputy = services.create_user(actor=world.admin, username="d3", display_name="王喆", organisation=world.station,
                                  roles={Role.DEPUTY}, password=PASSWORD,
                                  deputy=services.DeputyInfo("某代表团", "第六届", world.station))
    commit()
    assert deputy.deputy_profile.liaison_station_id == world.station.id


def test_duplicate_username_is_refused(world):
    with pytest.raises(ValidationFailed, match="已被使用"):
        services.create_user(actor=world.admin, username="STAFF", display_name="另一人", organisation=world.body,
                             roles={Role.NPC_STAFF}, password=PASSWORD)


@pytest.mark.parametrize("password,message", [("short1", "至少需要"), ("onlyletterspassword", "字母和数字"),
                                              ("newuser-2026-x", "不能包含用户名")])
def test_password_policy(world, password, message):
    with pytest.raises(ValidationFailed, match=message):
        services.create_user(actor=world.admin, username="newuser", display_name="某人", organisation=world.body,
                             roles={Role.NPC_STAFF}, password=password)


def test_only_system_admins_manage_accounts(world):
    with pytest.raises(NotAllowed):
        services.create_user(actor=world.staff, username="sneaky", display_name="某人", organisation=world.body,
                             roles={Role.SYSTEM_ADMIN}, password=PASSWORD)
    with pytest.raises(NotAllowed):
        services.unlock_user(world.staff, actor=world.auditor)


def test_concurrent_edits_of_an_account_conflict(world):
    version = world.staff.version
    services.update_user(world.staff, actor=world.admin, expected_version=version, display_name="新名字",
                         organisation=world.body, roles={Role.NPC_STAFF})
    commit()
    with pytest.raises(Conflict, match="已被他人修改"):
        services.update_user(world.staff, actor=world.admin, expected_version=version, display_name="旧表单",
                             organisation=world.body, roles={Role.NPC_STAFF})
    db.session.rollback()
    assert db.session.get(User, world.staff.id).display_name == "新名字"


def test_admin_cannot_lock_themselves_out(world):
    with pytest.raises(ValidationFailed):
        services.update_user(world.admin, actor=world.admin, expected_version=world.admin.version,
                             display_name="管理员", organisation=world.body, roles={Role.NPC_STAFF})


# --- login and lockout ----------------------------------------------------------------------------

def test_login_and_logout(world, client):
    response = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    assert "工作台" in text_of(client.get("/"))
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_login_keeps_next_but_refuses_offsite_targets(world, client):
    r = client.post("/login", data={"username": "staff", "password": PASSWORD, "next": "/calendar/"})
    assert r.location == "/calendar/"
    client.post("/logout")
    r = client.post("/login", data={"username": "staff", "password": PASSWORD, "next": "//evil.example/"})
    assert r.location == "/"


def test_wrong_password_says_so_in_chinese(world, client):
    page = client.post("/login", data={"username": "staff", "password": "Wrong-pass-1"})
    assert page.status_code == 200
    assert "用户名或密码错误" in text_of(page)
    assert "再失败 4 次" in text_of(page)


def test_unknown_user_gets_the_same_answer(world, client):
    page = client.post("/login", data={"username": "ghost", "password": "Wrong-pass-1"})
    assert "用户名或密码错误" in text_of(page)


def test_lockout_after_repeated_failures_and_admin_unlock(world, client, login):
    for _ in range(5):
        page = client.post("/login", data={"username": "staff", "password": "Wrong-pass-1"})
    assert "已被锁定" in text_of(page)
    # Even the right password is refused while locked.
    page = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert page.status_code == 200 and "已被锁定" in text_of(page)
    staff = db.session.get(User, world.staff.id)
    db.session.refresh(staff)
    assert staff.locked_until is not None

    admin_client = client.application.test_client()
    admin_client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert "锁定至" in text_of(admin_client.get(f"/admin/users/{staff.id}"))
    admin_client.post(f"/admin/users/{staff.id}/unlock")
    assert client.post("/login", data={"username": "staff", "password": PASSWORD}).status_code == 302


def test_lock_expires(world):
    for _ in range(5):
        services.attempt_login("staff", "Wrong-pass-1")
    commit()
    assert not services.attempt_login("staff", PASSWORD).ok
    later = utcnow() + dt.timedelta(minutes=31)
    assert services.attempt_login("staff", PASSWORD, now=later).ok


def test_inactive_user_cannot_log_in(world, client):
    services.update_user(world.staff, actor=world.admin, expected_version=world.staff.version,
                         display_name="staff", organisation=world.body, roles={Role.NPC_STAFF}, active=False)
    commit()
    page = client.post("/login", data={"username": "staff", "password": PASSWORD})
    assert "已停用" in text_of(page)


def test_change_password_ends_other_sessions(world, client, login):
    other = client.application.test_client()
    other.post("/login", data={"username": "staff", "password": PASSWORD})
    login(world.staff)
    r = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "Brand-new-2027",
                                               "confirm": "Brand-new-2027"})
    assert r.status_code == 302
    assert client.get("/").status_code == 200      # this session continues
    assert other.get("/").status_code == 302       # the other one is over
    assert services.attempt_login("staff", "Brand-new-2027").ok


def test_change_password_errors_are_tied_to_fields(world, client, login):
    login(world.staff)
    page = client.post("/account/password", data={"current_password": "nope", "new_password": "Brand-new-2027",
                                                  "confirm": "Brand-new-2027"})
    html = page.get_data(as_text=True)
    assert "当前密码不正确" in html
    assert 'aria-describedby="current_password-error"' in html


def test_reset_password_forces_a_change(world, client, login):
    login(world.admin)
    client.post(f"/admin/users/{world.staff.id}/password", data={"new_password": "Temp-pass-2026"})
    user_client = client.application.test_client()
    user_client.post("/login", data={"username": "staff", "password": "Temp-pass-2026"})
    r = user_client.get("/organisations/")
    assert r.status_code == 302 and r.location.endswith("/account/password")


# --- administration pages -------------------------------------------------------------------------

def test_admin_creates_a_user_through_the_form(world, client, login):
    login(world.admin)
    r = client.post("/admin/users/new", data={
        "username": "newbie", "display_name": "新同事", "organisation": world.proc.id,
        "roles": ["procuratorate_contact"], "password": "Start-pass-2026", "email": "", "phone": "",
        "liaison_station": 0})
    assert r.status_code == 302, text_of(r)
    user = db.session.scalar(sa.select(User).where(User.username == "newbie"))
    assert user.roles == {Role.PROCURATORATE_CONTACT} and user.must_change_password


def test_admin_form_shows_role_clash_in_chinese_and_saves_nothing(world, client, login):
    login(world.admin)
    page = client.post("/admin/users/new", data={
        "username": "clash", "display_name": "某人", "organisation": world.body.id,
        "roles": ["system_admin", "auditor"], "password": "Start-pass-2026", "liaison_station": 0})
    assert page.status_code == 200
    assert "三员分立" in text_of(page)
    assert db.session.scalar(sa.select(User).where(User.username == "clash")) is None


def test_user_admin_pages_are_for_admins(world, client, login):
    login(world.staff)
    assert client.get("/admin/users/").status_code == 403
    assert client.post(f"/admin/users/{world.staff.id}/unlock").status_code == 403


def test_user_list_filters_and_pages(world, client, login, app):
    login(world.admin)
    def listed(url):
        return re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', client.get(url).get_data(as_text=True))

    assert listed("/admin/users/?role=auditor") == ["auditor"]
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get("/admin/users/").get_data(as_text=True)
        assert "下一页" in first and "after=auditor" in first
        assert listed("/admin/users/?after=auditor") == ["contact", "staff"]
    finally:
        app.config["PAGE_SIZE"] = 50
