"""Demo publications in the demo municipality, so the public portal is not empty: key topics and rectification
status for the topics under rectification and evaluated (declared 公开 first), typical cases (one with personal
information masked in review, one withdrawn), a draft that the public never sees, and the last month's
statistical report declared 公开 and published as a PDF. Built through the real services with the demo accounts.
`flask demo load` calls `load_publications` by import path (oversight/demo DEMO_LOADERS)."""
from __future__ import annotations

import sqlalchemy as sa

from issues.models import Topic
from issues.workflow import TopicState
from oversight.accounts.models import User
from oversight.audit import services as audit
from oversight.db import db
from oversight.orgs.queries import get_by_code
from oversight.referrals.models import Classification
from oversight.workdays import today
from reports import runs as report_runs
from reports.models import ReportRun, RunStatus
from reports.services import queue_run
from reports.statistics import Period, PeriodKind

from . import services
from .models import Publication
from .workflow import PubKind

DEMO_MARK = "（示例）"

CASES = [
    ("江州市检察院督促整治校园周边食品安全隐患", "检察建议推动市场监管部门开展专项整治，查处无证经营 37 家。",
     "2026 年春季开学前，群众张某某（联系电话13912345678）反映某小学周边流动摊贩售卖“三无”食品。市检察院经调查，"
     "向市场监管部门制发检察建议。相关部门开展专项整治，查处无证经营 37 家，建立校园周边食品安全网格化巡查机制。"
     "市人大常委会监察和司法委员会跟踪督办，组织代表实地察看整改成效。", "张某某"),
    ("江北区检察院以公益诉讼推动河道非法采砂综合治理", "行政公益诉讼诉前程序推动恢复河道岸线 2.3 公里。",
     "区检察院在履职中发现某河段长期存在非法采砂问题，向水利部门发出诉前检察建议。区人大常委会将其纳入监督议题，"
     "组织专题询问。相关部门拆除非法采砂设施 12 处，恢复河道岸线 2.3 公里。", ""),
    ("南岸区检察院推动解决农民工欠薪问题", "支持起诉帮助 46 名农民工追回劳动报酬。",
     "区检察院对 46 名农民工欠薪案件支持起诉，追回劳动报酬 210 万元，并针对工程款拨付不规范问题向住建部门制发检察建议。"
     "区人大常委会听取专项报告，推动建立工资专用账户监管制度。", ""),
]


def demo_publications_exist() -> bool:
    return db.session.scalar(sa.select(Publication.id).where(Publication.title.endswith(DEMO_MARK)).limit(1)) is not None


def public_topics() -> list[Topic]:
    """The demo topics the committee decides to disclose: those of the city committee under rectification or
    evaluated (chosen by state, not by title, so a test that rewrites every internal text still finds them)."""
    committee = get_by_code("JZ-NPC")
    return list(db.session.scalars(sa.select(Topic).where(
        Topic.owner_org_id == committee.id, Topic.state.in_([TopicState.RECTIFYING, TopicState.EVALUATED]))
        .order_by(Topic.id)))


def _publish(pub: Publication, staff: User, reviewer: User) -> None:
    services.submit(pub, actor=staff)
    services.redact_all(pub, actor=reviewer)
    services.publish(pub, actor=reviewer)


def _public_report(committee, staff: User, reviewer: User) -> int:
    """Last month's statistical report of the city committee, declared 公开, produced and published."""
    period = Period.containing(PeriodKind.MONTH, today()).previous()
    run = queue_run("monthly", period, committee, trigger="manual", requested_by=None)
    if run.classification is not Classification.PUBLIC:
        run.classification = Classification.PUBLIC
        audit.record("report.reclassified", actor=reviewer, obj=run, summary={"classification": "public"})
    db.session.commit()  # the run is produced in its own transactions (claim, render, finish)
    if run.status is not RunStatus.SUCCEEDED:
        report_runs.execute(run.id)
    run = db.session.get(ReportRun, run.id)
    if run.status is not RunStatus.SUCCEEDED:
        return 0
    pub = services.create(actor=staff, kind=PubKind.PUBLIC_REPORT, title=f"{period.label}监督衔接工作统计报告{DEMO_MARK}",
                          summary="移送事项办理、整改落实等统计数据。", body="本报告为统计数据汇总，不含个案信息。",
                          report_run=run)
    _publish(pub, staff, reviewer)
    return 1


def load_publications() -> int:
    """Create the demo publications; nothing if they exist. Returns how many were made."""
    if demo_publications_exist():
        return 0
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    staff, reviewer = users["npc.liaison"], users["npc.reviewer"]
    made = 0
    for number, topic in enumerate(public_topics(), start=1):
        if topic.classification is not Classification.PUBLIC:
            topic.classification = Classification.PUBLIC
            audit.record("topic.reclassified", actor=reviewer, obj=topic, summary={"classification": "public"})
        key = services.create(actor=staff, kind=PubKind.KEY_TOPIC, topic=topic,
                              title=f"市人大常委会重点监督议题{number}{DEMO_MARK}",
                              summary="市人大常委会与市人民检察院联动监督的重点议题。",
                              body="市人大常委会将该事项列为年度重点监督议题，由监察和司法委员会牵头，会同市人民检察院"
                                   "梳理问题清单、责任清单和整改清单，定期听取整改情况报告。")
        _publish(key, staff, reviewer)
        status = services.create(actor=staff, kind=PubKind.RECTIFICATION_STATUS, topic=topic,
                                 title=f"重点监督议题{number}整改情况{DEMO_MARK}",
                                 summary="整改清单逐项进展，按已认定的完成比例公布。",
                                 body="以下为清单印发后各责任单位的整改进展，完成比例以人大常委会认定为准。")
        _publish(status, staff, reviewer)
        made += 2
    for n, (title, summary, body, names) in enumerate(CASES):
        case = services.create(actor=staff, kind=PubKind.TYPICAL_CASE, title=title + DEMO_MARK, summary=summary,
                               body=body, private_names=names)
        _publish(case, staff, reviewer)
        made += 1
    withdrawn = services.create(actor=staff, kind=PubKind.TYPICAL_CASE, title=f"某区检察院办理的一起信访案件{DEMO_MARK}",
                                summary="已撤回的示例。", body="案件情况说明。")
    _publish(withdrawn, staff, reviewer)
    services.withdraw(withdrawn, actor=reviewer, reason="案件进入复查程序，暂不公开。")
    services.create(actor=staff, kind=PubKind.TYPICAL_CASE, title=f"起草中的典型案例{DEMO_MARK}",
                    summary="草稿", body="尚未审核的草稿，公众不可见。")
    made += 2
    db.session.flush()
    made += _public_report(get_by_code("JZ-NPC"), staff, reviewer)
    db.session.flush()
    return made
