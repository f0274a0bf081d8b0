"""Demo clues in the demo municipality: a few dozen from the public and the liaison stations, to the
city and two district committees, some triaged through the real services (converted to referral
drafts, merged, declined). Idempotent: nothing is made if any clue exists.

Every demo clue's secret is DEMO_SECRET, so a presenter can look any of them up on the status page.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..accounts.models import User
from ..audit import services as audit
from ..db import db, utcnow
from ..orgs.models import Organisation, OrgKind
from ..orgs.queries import get_by_code
from . import services
from .models import Clue
from .workflow import ClueSource

DEMO_SECRET = "DEMO-2026-XSCK"

# (category, title, description, place)
SUBJECTS = [
    ("public_interest", "某河道夜间偷排污水", "有企业在夜间通过暗管向河道排放污水，河水发黑发臭，附近居民多次反映未果。", "江北区石门镇河段"),
    ("public_interest", "河道夜间偷排污水问题", "该河段晚上经常有污水排入，河水发黑，鱼类死亡，怀疑是上游企业偷排。", "江北区石门镇"),
    ("public_interest", "小区消防通道长期被占用", "小区消防通道长期被车辆和杂物占用，物业不管，存在重大安全隐患。", "南岸区海棠街道"),
    ("public_interest", "学校周边销售三无食品", "学校门口多家小卖部销售无生产日期、无厂名的辣条等零食。", "江北区观音桥街道"),
    ("public_interest", "景区违规收取停车费", "某景区在公共道路上划线收取高额停车费，无收费许可公示。", "南岸区南山"),
    ("public_interest", "耕地被违规占用建厂房", "村里多亩基本农田被硬化后建起厂房，至今未见处理。", "南岸区龙潭乡"),
    ("administrative", "违法建设拆除后又重建", "执法部门拆除的违法建筑不久后原地重建，群众质疑执法不到位。", "江北区翠屏街道"),
    ("administrative", "行政处罚决定长期未执行", "环保部门对某企业作出的罚款决定一年多未执行到位。", "江州市"),
    ("judicial_conduct", "执行款长期未发放", "法院执行到位的款项迟迟未发放给申请人，多次询问无答复。", "江州市"),
    ("case_handling", "报案后公安机关久未立案", "被诈骗后向派出所报案，三个月未立案也未出具不予立案通知书。", "江北区"),
    ("case_handling", "民事判决监督申请未获答复", "向检察院申请民事判决监督已过六个月，未收到任何答复。", "南岸区"),
    ("minors", "网吧违规接纳未成年人", "某网吧长期接纳未成年人上网，甚至通宵营业。", "南岸区海棠街道"),
    ("minors", "留守儿童遭受监护侵害", "邻居家留守儿童经常被监护人打骂，身上有伤。", "江北区石门镇"),
    ("other", "社区矫正人员脱管", "听说小区有社区矫正人员长期在外地，没人管。", "南岸区"),
]
# (committee, station or None, how many of SUBJECTS to use, offset)
SPREAD = [("JZ-NPC", None, 14, 0), ("JZ-NPC-JB", "JZ-NPC-JB-LS1", 10, 0), ("JZ-NPC-NA", "JZ-NPC-NA-LS1", 10, 4)]
# (committee, staff account)
STAFF = {"JZ-NPC": "npc.liaison", "JZ-NPC-JB": "jb.liaison", "JZ-NPC-NA": "na.liaison"}


def load_clues() -> int:
    if db.session.scalar(sa.select(Clue.id).limit(1)) is not None:
        return 0
    now = utcnow()
    made: dict[str, list[Clue]] = {}
    n = 0
    for committee_code, station_code, count, offset in SPREAD:
        committee = get_by_code(committee_code)
        station = get_by_code(station_code) if station_code else None
        if committee is None or committee.kind is not OrgKind.NPC_COMMITTEE:
            continue
        for i in range(count):
            category, title, description, place = SUBJECTS[(offset + i) % len(SUBJECTS)]
            via_station = station is not None and i % 2 == 0
            created = now - dt.timedelta(days=60 - n, hours=n % 7)
            clue = Clue(tracking_code=services.new_tracking_code(created), secret_hash=services.hash_secret(DEMO_SECRET),
                        source=ClueSource.STATION if via_station else ClueSource.PUBLIC,
                        station=station if via_station else None, category=category, title=title,
                        description=description, place=place, receiving_org=committee, created_at=created,
                        updated_at=created,
                        contact_name="张先生" if n % 3 == 0 else None,
                        contact_phone=f"1390000{n:04d}" if n % 3 == 0 else None)
            db.session.add(clue)
            db.session.flush()
            audit.record("clue.submit", actor=None, actor_label="公众（演示数据）", obj=clue,
                         organisation_id=committee.id, summary={"code": clue.tracking_code, "category": category,
                                                                "source": clue.source.value, "demo": True})
            made.setdefault(committee_code, []).append(clue)
            n += 1
    for committee_code, clues in made.items():
        staff = db.session.scalar(sa.select(User).where(User.username == STAFF[committee_code]))
        if staff is None or len(clues) < 6:
            continue
        committee = db.session.get(Organisation, clues[0].receiving_org_id)
        if committee.paired_procuratorate is not None:
            services.convert(clues[2], actor=staff)
            services.convert(clues[3], actor=staff)
        services.merge(clues[1], actor=staff, into=clues[0])
        services.decline(clues[4], actor=staff, reason="经核实，该问题已由行政机关依法处理完毕，不再作为监督线索。")
        services.decline(clues[5], actor=staff, reason="反映的问题不属于检察机关法律监督范围，建议向有关部门反映。")
    db.session.flush()
    return n
