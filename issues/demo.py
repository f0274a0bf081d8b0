"""Demo topics in the demo municipality: one per stage — drafting, awaiting review, rectifying (with
progress, a return, an overdue item and a unit without accounts), and evaluated. Built through the
real services with the demo accounts, so numbers, timelines, audit entries and notifications are what
users would have produced. `flask demo load` calls `load_topics` by import path (oversight/demo)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.db import db
from oversight.orgs.queries import get_by_code
from oversight.referrals.models import Referral
from oversight.referrals.workflow import Direction, State
from oversight.workdays import today

from .models import Area, RectificationItem, Topic
from .services import issuing, items, lists, topics
from .workflow import Severity

DEMO_MARK = "（示例）"

# (title, area, stage, [(problem, severity, [(unit code, person, basis, [(measures, days to due)])])])
TOPICS = [
    ("优化法治化营商环境检察监督", Area.BUSINESS, "rectifying", [
        ("涉企刑事案件久拖不决，部分案件审查起诉超期", Severity.SERIOUS, [
            ("JZ-P", "王检察长", "《人民检察院组织法》第二十条", [("开展涉企积案专项清理，逐案建立台账", 60),
                                                               ("建立涉企案件办理期限预警机制", 120)])]),
        ("涉企行政执法与刑事司法衔接不畅，线索移送率偏低", Severity.MINOR, [
            ("JZ-P-JB", "赵检察长", "《行政执法机关移送涉嫌犯罪案件的规定》", [("与市场监管部门建立线索双向移送机制", 90)]),
            ("JZ-GOV-SFJ", "钱局长", "《江州市优化营商环境条例》", [("梳理行政执法案件移送清单", 45)])]),
    ]),
    ("生态环境和资源保护公益诉讼", Area.ECOLOGY, "review", [
        ("部分河段非法采砂问题反复出现", Severity.GRAVE, [
            ("JZ-P", "孙检察长", "《民事诉讼法》第五十八条", [("开展非法采砂公益诉讼专项监督", 90)]),
            ("JZ-GOV-STJ", "李局长", "《长江保护法》", [("建立河道巡查与检察机关信息共享机制", 60)])]),
    ]),
    ("未成年人检察工作", Area.LIVELIHOOD, "open", [
        ("校园周边安全隐患排查不到位", Severity.MINOR, []),
    ]),
    ("社区矫正法律监督", Area.JUDICIAL, "evaluated", [
        ("社区矫正对象脱管漏管", Severity.SERIOUS, [
            ("JZ-P", "周检察长", "《社区矫正法》第八条", [("开展社区矫正巡回检察", 30)])]),
    ]),
]


def demo_topics_exist() -> bool:
    return db.session.scalar(sa.select(Topic.id).where(Topic.title.endswith(DEMO_MARK)).limit(1)) is not None


def load_topics() -> int:
    """Create the demo topics; nothing if they exist. Returns how many were made."""
    if demo_topics_exist():
        return 0
    user = {u.username: u for u in db.session.scalars(sa.select(User))}
    staff, reviewer = user["npc.liaison"], user["npc.reviewer"]
    contacts = {"JZ-P": user["proc.contact"], "JZ-P-JB": user["jb.contact"]}
    body = get_by_code("JZ-NPC-JSW")
    sources = list(db.session.scalars(sa.select(Referral).where(
        Referral.direction == Direction.NPC_TO_PROCURATORATE, Referral.state != State.DRAFT,
        Referral.sender_org_id == get_by_code("JZ-NPC").id).order_by(Referral.id).limit(2)))
    for n, (title, area, stage, problems) in enumerate(TOPICS):
        topic = topics.create_topic(actor=staff, title=title + DEMO_MARK, area=area, lead_body=body,
                                    description="由人大常委会监察和司法委员会牵头，会同检察机关跟踪整改。",
                                    referrals=sources if n == 0 else [])
        for description, severity, resps in problems:
            problem = lists.add_problem(topic, actor=staff, description=description, severity=severity,
                                        evidence="专项调研报告；执法检查记录", category="法律监督")
            for code, person, basis, measures in resps:
                resp = lists.add_responsibility(problem, actor=staff, lead_unit=get_by_code(code),
                                                responsible_person=person, legal_basis=basis)
                for text, days in measures:
                    lists.add_item(resp, actor=staff, measures=text, due_date=today() + dt.timedelta(days=days),
                                   milestones="一个月内制定方案；按季度报告进展", responsible_person=person)
        if stage == "open":
            continue
        issuing.submit(topic, actor=staff)
        if stage == "review":
            continue
        issuing.issue(topic, actor=reviewer)
        _rectify(topic, stage, staff, contacts)
    db.session.flush()
    return len(TOPICS)


def _rectify(topic: Topic, stage: str, staff: User, contacts: dict[str, User]) -> None:
    work = list(db.session.scalars(sa.select(RectificationItem).where(RectificationItem.topic_id == topic.id)
                                   .order_by(RectificationItem.id)))
    for index, item in enumerate(work):
        actor = contacts.get(item.unit.code, staff)  # a unit without accounts: NPC staff enter its progress
        if stage == "evaluated":
            items.report_progress(item, actor=actor, percent=100, text_="巡回检察已全覆盖，发现问题均已纠正")
            items.request_signoff(item, actor=actor)
            items.sign_off(item, actor=staff)
            continue
        if index == 0:
            items.report_progress(item, actor=actor, percent=40, text_="已完成积案摸底，清理 12 件", evidence="积案台账")
            items.report_progress(item, actor=actor, percent=100, text_="积案全部清结", evidence="清结报告")
            items.request_signoff(item, actor=actor)
            items.return_item(item, actor=staff, reason="请补充长效机制材料")
            items.accept_progress(item, actor=staff, percent=80)
        elif index == 1:
            items.report_progress(item, actor=actor, percent=30, text_="预警规则已起草")
        elif index == 2:
            items.report_progress(item, actor=actor, percent=20, text_="已召开联席会议")
            # Moved into the past for the demo: this one is overdue (the sweep then reminds).
            item.due_date = today() - dt.timedelta(days=3)
            item.progress_due = today() - dt.timedelta(days=10)
        else:
            items.report_progress(item, actor=actor, percent=50, text_="清单已梳理一半")
            item.due_date = today() + dt.timedelta(days=2)  # due soon
    if stage == "evaluated":
        topics.evaluate(topic, actor=staff, evaluation="整改措施落实到位，社区矫正脱管漏管问题得到纠正。")
