"""The organisations and people of a profile: the demo municipality, extra districts (through the
organisation and account services), one liaison, contact and handlers per pairing, and deputies in
bulk (one password hash shared by all, audited as `user.create` like the service does)."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from ...accounts import services as account_services
from ...accounts.models import DeputyProfile, Role, User, UserRole
from ...accounts.passwords import hash_password
from ...db import db, utcnow
from ...orgs import services as org_services
from ...orgs.models import Organisation, OrgKind, OrgLevel
from ...orgs.queries import get_by_code
from .. import data
from .chain import Actor, Chain
from .profiles import EXTRA_DISTRICTS, Profile

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅鹏飞德海燕文斌晓东雪琴宇航"


@dataclass
class Cast:
    """Who works one NPC committee–procuratorate pairing, as audit actors."""

    npc: Organisation
    proc: Organisation
    liaison: Actor
    contact: Actor
    units: list[tuple[Organisation, Actor]]   # (department, its handler)
    deputies: list[Actor]
    share: int


def districts(profile: Profile) -> list[tuple[str, str, str, list[str]]]:
    return data.DISTRICTS + EXTRA_DISTRICTS[:profile.extra_districts]


def ensure_organisations(profile: Profile) -> int:
    """The extra districts' committees, bodies, stations, procuratorates and departments; paired."""
    made = 0
    for code, name, branch, stations in EXTRA_DISTRICTS[:profile.extra_districts]:
        rows = [(f"JZ-NPC-{code}", f"{name}人大常委会", OrgKind.NPC_COMMITTEE, OrgLevel.COUNTY, "JZ-NPC", f"{code}RD"),
                (f"JZ-NPC-{code}-JSW", f"{name}人大常委会监察司法工作委员会", OrgKind.NPC_BODY, OrgLevel.NONE,
                 f"JZ-NPC-{code}", ""),
                (f"JZ-P-{code}", f"{name}人民检察院", OrgKind.PROCURATORATE, OrgLevel.COUNTY, f"JZ-P-{branch}", f"{code}JC")]
        rows += [(f"JZ-P-{code}-{unit}", f"{name}人民检察院{label}", OrgKind.PROCURATORATE_DEPARTMENT, OrgLevel.NONE,
                  f"JZ-P-{code}", "") for unit, label in (("BGS", "办公室"), ("D1", "第一检察部"), ("D2", "第二检察部"))]
        rows += [(f"JZ-NPC-{code}-LS{i}", f"{name}{station}人大代表联络站", OrgKind.LIAISON_STATION, OrgLevel.NONE,
                  f"JZ-NPC-{code}", "") for i, station in enumerate(stations, start=1)]
        for org_code, org_name, kind, level, parent, prefix in rows:
            if get_by_code(org_code) is None:
                org_services.create_organisation(actor=None, code=org_code, name=org_name, kind=kind, level=level,
                                                 parent=get_by_code(parent), serial_prefix=prefix)
                made += 1
        committee, procuratorate = get_by_code(f"JZ-NPC-{code}"), get_by_code(f"JZ-P-{code}")
        if committee.paired_procuratorate_id != procuratorate.id:
            org_services.set_pairing(committee, actor=None, procuratorate=procuratorate)
    return made


def _staff(username: str, name: str, org_code: str, role: Role) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = account_services.create_user(actor=None, username=username, display_name=name,
                                            organisation=get_by_code(org_code), roles={role},
                                            password=data.DEMO_PASSWORD, must_change_password=False)
    return user


def actor(user: User) -> Actor:
    return Actor(user.id, f"{user.display_name}（{user.username}）", user.organisation_id, user.display_name,
                 user.side.value)


def ensure_staff(profile: Profile) -> dict[str, tuple[Actor, Actor, list[tuple[Organisation, Actor]]]]:
    """Per district code ('' for the city): (liaison, contact, [(department, handler)]). The demo's own
    accounts where it has them (npc.liaison, jb.contact …), otherwise `<code>.liaison` and so on."""
    rng = random.Random(7)
    staff = {"": (actor(_staff("npc.liaison", "", "JZ-NPC-JSW", Role.NPC_STAFF)),
                  actor(_staff("proc.contact", "", "JZ-P-BGS", Role.PROCURATORATE_CONTACT)),
                  [(get_by_code("JZ-P-D1"), actor(_staff("proc.handler", "", "JZ-P-D1", Role.PROCURATORATE_HANDLER))),
                   (get_by_code("JZ-P-D2"), actor(_staff("proc.handler2", "", "JZ-P-D2", Role.PROCURATORATE_HANDLER)))])}
    for code, *_ in districts(profile):
        c = code.lower()
        handlers = [(get_by_code(f"JZ-P-{code}-{unit}"),
                     actor(_staff(f"{c}.handler{i}", _name(rng), f"JZ-P-{code}-{unit}", Role.PROCURATORATE_HANDLER)))
                    for i, unit in enumerate(("D1", "D2"), start=1)]
        staff[code] = (actor(_staff(f"{c}.liaison", _name(rng), f"JZ-NPC-{code}-JSW", Role.NPC_STAFF)),
                       actor(_staff(f"{c}.contact", _name(rng), f"JZ-P-{code}-BGS", Role.PROCURATORATE_CONTACT)),
                       handlers)
    return staff


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def ensure_deputies(profile: Profile, seed: int) -> int:
    """`profile.deputies` deputies `daibiao00001` … over the liaison stations, inserted in bulk."""
    have = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.username.like("daibiao%")))
    if have >= profile.deputies:
        return 0
    rng = random.Random(seed)
    names = [_name(rng) for _ in range(profile.deputies)]
    stations = [get_by_code(f"JZ-NPC-{code}-LS{i}") for code, _n, _b, st in districts(profile)
                for i in range(1, len(st) + 1)]
    district_names = {f"JZ-NPC-{code}": name for code, name, *_ in districts(profile)}
    password = hash_password(data.DEMO_PASSWORD)   # one hash for all: argon2 per user would take hours
    now = utcnow()
    next_id = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    chain = Chain()
    users, roles, profiles = [], [], []
    for n in range(have, profile.deputies):
        station = stations[n % len(stations)]
        user_id, username = next_id + n - have, f"daibiao{n + 1:05d}"
        users.append(dict(id=user_id, username=username, display_name=names[n], organisation_id=station.id,
                          email="", phone="", password_hash=password, active=True, locale="", failed_logins=0,
                          must_change_password=False, password_changed_at=now, created_at=now,
                          session_token=secrets.token_hex(8), version=1))
        roles.append(dict(user_id=user_id, role=Role.DEPUTY))
        delegation = district_names[_committee_code(station)] + "代表团"
        profiles.append(dict(user_id=user_id, delegation=delegation, term="第六届", liaison_station_id=station.id))
        chain.add("user.create", at=now, actor=Actor(None, "系统", None), object_type="users", object_id=user_id,
                  summary={"username": username, "organisation": station.code, "roles": [Role.DEPUTY.value]})
    for table, rows in ((User.__table__, users), (UserRole.__table__, roles), (DeputyProfile.__table__, profiles)):
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(table), rows[start:start + 5000])
    chain.flush()
    return len(users)


def _committee_code(station: Organisation) -> str:
    return station.code.rsplit("-", 1)[0]


def casts(profile: Profile, staff, seed: int) -> list[Cast]:
    """The pairings that exchange referrals; the city's pairing carries a larger share."""
    by_station: dict[int, list[Actor]] = {}
    rows = db.session.execute(
        sa.select(User.id, User.username, User.display_name, User.organisation_id, DeputyProfile.liaison_station_id)
        .join(DeputyProfile, DeputyProfile.user_id == User.id).where(User.username.like("daibiao%"))
        .order_by(User.id))
    for user_id, username, name, org_id, station_id in rows:
        by_station.setdefault(station_id, []).append(Actor(user_id, f"{name}（{username}）", org_id, name, "npc"))
    result = []
    for code in ["", *[c for c, *_ in districts(profile)]]:
        npc = get_by_code("JZ-NPC" + (f"-{code}" if code else ""))
        proc = get_by_code("JZ-P" + (f"-{code}" if code else ""))
        liaison, contact, units = staff[code]
        stations = db.session.scalars(sa.select(Organisation.id).where(
            Organisation.kind == OrgKind.LIAISON_STATION, Organisation.parent_id == npc.id))
        deputies = [d for s in stations for d in by_station.get(s, [])] or [d for ds in by_station.values() for d in ds]
        result.append(Cast(npc, proc, liaison, contact, units, deputies, share=6 if not code else 2))
    return result

