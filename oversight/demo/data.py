"""The demo municipality as data. 江州 is fictional; names are invented."""
from __future__ import annotations

from ..accounts.models import Role
from ..orgs.models import OrgKind as K
from ..orgs.models import OrgLevel as L

DEMO_PASSWORD = "Jiangzhou-2026"

DISTRICTS = [  # code, name, branch procuratorate, liaison stations
    ("JB", "江北区", "B1", ["观音桥街道", "寸滩街道"]),
    ("NA", "南岸区", "B1", ["南坪街道", "弹子石街道"]),
    ("SP", "沙坪区", "B2", ["磁器口街道"]),
    ("YX", "云溪县", "B2", ["云溪镇", "白沙镇"]),
]

# (code, name, kind, level, parent code, serial prefix)
def organisations() -> list[tuple[str, str, K, L, str | None, str]]:
    rows = [
        ("JZ-NPC", "江州市人大常委会", K.NPC_COMMITTEE, L.PROVINCE, None, "JZRD"),
        ("JZ-NPC-JSW", "江州市人大监察和司法委员会", K.NPC_BODY, L.NONE, "JZ-NPC", "JSW"),
        ("JZ-NPC-DBW", "江州市人大常委会代表工作委员会", K.NPC_BODY, L.NONE, "JZ-NPC", "DBW"),
        ("JZ-NPC-FGW", "江州市人大常委会法制工作委员会", K.NPC_BODY, L.NONE, "JZ-NPC", "FGW"),
        ("JZ-NPC-BGT", "江州市人大常委会办公厅", K.NPC_BODY, L.NONE, "JZ-NPC", "BGT"),
        ("JZ-P", "江州市人民检察院", K.PROCURATORATE, L.PROVINCE, None, "JZJC"),
        ("JZ-P-BGS", "江州市人民检察院办公室", K.PROCURATORATE_DEPARTMENT, L.NONE, "JZ-P", ""),
        ("JZ-P-KS", "江州市人民检察院控告申诉检察部", K.PROCURATORATE_DEPARTMENT, L.NONE, "JZ-P", ""),
        ("JZ-P-AG", "江州市人民检察院案件管理部", K.PROCURATORATE_DEPARTMENT, L.NONE, "JZ-P", ""),
    ]
    for number, ordinal in enumerate(["第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八"], start=1):
        rows.append((f"JZ-P-D{number}", f"江州市人民检察院{ordinal}检察部", K.PROCURATORATE_DEPARTMENT, L.NONE, "JZ-P", ""))
    rows += [
        ("JZ-P-B1", "江州市人民检察院第一分院", K.PROCURATORATE, L.BRANCH, "JZ-P", "JZY"),
        ("JZ-P-B2", "江州市人民检察院第二分院", K.PROCURATORATE, L.BRANCH, "JZ-P", "JZE"),
        ("JZ-P-B1-BGS", "江州市人民检察院第一分院办公室", K.PROCURATORATE_DEPARTMENT, L.NONE, "JZ-P-B1", ""),
        ("JZ-P-B2-BGS", "江州市人民检察院第二分院办公室", K.PROCURATORATE_DEPARTMENT, L.NONE, "JZ-P-B2", ""),
    ]
    for code, name, branch, stations in DISTRICTS:
        rows += [
            (f"JZ-NPC-{code}", f"{name}人大常委会", K.NPC_COMMITTEE, L.COUNTY, "JZ-NPC", f"{code}RD"),
            (f"JZ-NPC-{code}-JSW", f"{name}人大常委会监察司法工作委员会", K.NPC_BODY, L.NONE, f"JZ-NPC-{code}", ""),
            (f"JZ-P-{code}", f"{name}人民检察院", K.PROCURATORATE, L.COUNTY, f"JZ-P-{branch}", f"{code}JC"),
            (f"JZ-P-{code}-BGS", f"{name}人民检察院办公室", K.PROCURATORATE_DEPARTMENT, L.NONE, f"JZ-P-{code}", ""),
            (f"JZ-P-{code}-D1", f"{name}人民检察院第一检察部", K.PROCURATORATE_DEPARTMENT, L.NONE, f"JZ-P-{code}", ""),
            (f"JZ-P-{code}-D2", f"{name}人民检察院第二检察部", K.PROCURATORATE_DEPARTMENT, L.NONE, f"JZ-P-{code}", ""),
        ]
        for index, station in enumerate(stations, start=1):
            rows.append((f"JZ-NPC-{code}-LS{index}", f"{name}{station}人大代表联络站", K.LIAISON_STATION, L.NONE,
                         f"JZ-NPC-{code}", ""))
    rows += [
        ("JZ-GOV-SFJ", "江州市司法局", K.EXTERNAL_UNIT, L.NONE, None, ""),
        ("JZ-GOV-STJ", "江州市生态环境局", K.EXTERNAL_UNIT, L.NONE, None, ""),
        ("JZ-PUBLIC", "社会各界群众评议代表", K.EXTERNAL_UNIT, L.NONE, None, ""),
    ]
    return rows


def pairings() -> list[tuple[str, str]]:
    return [("JZ-NPC", "JZ-P")] + [(f"JZ-NPC-{c}", f"JZ-P-{c}") for c, *_ in DISTRICTS]


# One account per role, in the order the README lists them: (role, username, name, organisation).
ACCOUNTS = [
    (Role.NPC_STAFF, "npc.liaison", "陈嘉怡", "JZ-NPC-JSW"),
    (Role.NPC_REVIEWER, "npc.reviewer", "周明远", "JZ-NPC-JSW"),
    (Role.PROCURATORATE_CONTACT, "proc.contact", "李堃", "JZ-P-BGS"),
    (Role.PROCURATORATE_HANDLER, "proc.handler", "赵赟", "JZ-P-D1"),
    (Role.DEPUTY, "deputy.wang", "王喆", "JZ-NPC-JB-LS1"),
    (Role.PUBLIC_EVALUATOR, "public.evaluator", "孙丽华", "JZ-PUBLIC"),
    (Role.SYSTEM_ADMIN, "admin", "刘建国", "JZ-NPC-BGT"),
    (Role.SECURITY_ADMIN, "security", "何静", "JZ-NPC-BGT"),
    (Role.AUDITOR, "auditor", "吴敏", "JZ-NPC-BGT"),
]

# More staff so that lists look like a working office.
EXTRA_STAFF = [
    (Role.NPC_STAFF, "jb.liaison", "黄晓东", "JZ-NPC-JB-JSW"),
    (Role.NPC_STAFF, "na.liaison", "郑雅琴", "JZ-NPC-NA-JSW"),
    (Role.PROCURATORATE_CONTACT, "jb.contact", "冯志强", "JZ-P-JB-BGS"),
    (Role.PROCURATORATE_HANDLER, "jb.handler", "朱镕", "JZ-P-JB-D1"),
    (Role.PROCURATORATE_CONTACT, "na.contact", "钱雪梅", "JZ-P-NA-BGS"),
    (Role.PROCURATORATE_HANDLER, "proc.handler2", "褚昊天", "JZ-P-D2"),
]

DEPUTY_NAMES = ["王喆", "张淑芬", "李德明", "刘海燕", "陈永福", "杨帆", "黄丽萍", "赵国栋", "吴秀兰",
                "周建华", "徐慧", "孙志刚", "马玉梅", "朱红", "胡文斌", "郭晓燕", "何雨桐", "高立新",
                "林芳", "罗成", "梁淑珍", "宋宇航", "郑伟", "谢晓琳"]
