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


# --- demo referrals ------------------------------------------------------------------------------

REFERRAL_SEED = 20261126
REFERRAL_COUNT = 300

# Who works each pairing: (NPC committee, its liaison, procuratorate, its contact,
# [(department, handler or None)], where a returned referral should go instead, share of the items).
REFERRAL_PAIRS = [
    ("JZ-NPC", "npc.liaison", "JZ-P", "proc.contact",
     [("JZ-P-D1", "proc.handler"), ("JZ-P-D2", "proc.handler2"), ("JZ-P-KS", None)], "JZ-P-JB", 5),
    ("JZ-NPC-JB", "jb.liaison", "JZ-P-JB", "jb.contact", [("JZ-P-JB-D1", "jb.handler"), ("JZ-P-JB-D2", None)],
     "JZ-P-NA", 3),
    ("JZ-NPC-NA", "na.liaison", "JZ-P-NA", "na.contact", [("JZ-P-NA-D1", None), ("JZ-P-NA-D2", None)],
     "JZ-P-JB", 2),
]

# Subjects per referral type; a title is "<prefix><subject><suffix>".
REFERRAL_SUBJECTS = {
    "deputy_suggestion": ("关于", "的建议", [
        "加强未成年人检察工作", "完善公益诉讼线索移送机制", "推进检察听证进社区", "加大对电信网络诈骗犯罪打击力度",
        "加强农村留守老人权益保护", "规范涉企案件办理", "加强生态环境公益诉讼", "提升12309检察服务中心服务水平",
        "加强食品药品安全领域法律监督", "推动行政争议实质性化解"]),
    "deputy_letter": ("代表转交：", "", [
        "群众反映案件久拖未决", "当事人对不起诉决定有异议", "群众反映执行款未到位", "当事人申请国家司法救助",
        "群众反映民事判决监督申请未获答复"]),
    "litigation_petition": ("涉法涉诉信访：", "", [
        "申诉人对刑事判决不服", "当事人反映羁押期限问题", "信访人反映社区矫正管理问题", "申诉人请求抗诉"]),
    "inspection_finding": ("执法检查发现：", "问题", [
        "部分基层院公益诉讼诉前检察建议回复率偏低", "刑事案件审查起诉超期", "看守所在押人员权益保障",
        "非法采砂案件线索移送不畅", "行政执法与刑事司法衔接不到位", "社区矫正脱管漏管"]),
    "supervision_lead": ("监督线索：", "", [
        "某河道非法排污", "某小区消防通道长期被占", "某企业拖欠农民工工资", "某景区违规收费", "某镇违规占用耕地"]),
    "deliberation_opinion": ("关于", "的审议意见", [
        "市人民检察院公益诉讼工作情况报告", "市人民检察院未成年人检察工作情况报告",
        "市人民检察院民事检察工作情况报告", "全市检察机关控告申诉检察工作情况报告"]),
    "resolution": ("", "", [
        "关于加强新时代检察机关法律监督工作的决定", "关于加强公益诉讼检察工作的决定",
        "关于加强矛盾纠纷多元化解工作的决议"]),
    "appraisal_opinion": ("", "", [
        "市人民检察院工作评议意见", "区人民检察院队伍建设评议意见", "刑事执行检察工作评议意见"]),
    "work_report": ("", "", [
        "2026年第三季度法律监督工作情况", "2026年上半年公益诉讼检察工作情况", "检察建议落实情况通报",
        "2026年度刑事检察工作情况"]),
    "special_work_report": ("关于", "的专项工作报告", [
        "行政检察工作情况", "未成年人检察工作情况", "知识产权检察工作情况", "生态环境和资源保护检察工作情况"]),
    "implementation_report": ("关于", "研究处理情况的报告", [
        "公益诉讼工作情况报告审议意见", "民事检察工作情况报告审议意见", "控告申诉检察工作审议意见"]),
    "governance_notice": ("社会治理薄弱环节通报：", "", [
        "校园周边食品安全隐患", "养老诈骗案件暴露的监管漏洞", "非法集资案件反映的金融监管问题",
        "农村宅基地纠纷多发"]),
    "topic_proposal": ("监督议题建议：", "", [
        "检察公益诉讼制度落实情况", "刑事诉讼监督工作", "司法救助工作开展情况"]),
}
