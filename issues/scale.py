"""The `demo scale` stage for oversight topics: topics with their three lists and rectification items
(`Profile.rectification_items`: 100k for the municipality), each item's life simulated by the item
workflow table's steps — progress reports every few weeks, accepted progress, urging when overdue,
extensions, sign-off requests, returns and sign-offs — up to the profile's last day.

Written in bulk, like the referrals: explicit ids, one transaction per chunk of topics, the
timelines beside their rows, and the audit entries hashed by the audit chain's own function, in time
order (a heap holds each chunk's entries until no later-created topic can write anything earlier).
Deterministic for a seed; a topic's structure and life come from its own random generator, so an
interrupted run resumes after the last whole chunk. Its own done marker lets it run on a database
built before the stage existed.
"""
from __future__ import annotations

import bisect
import datetime as dt
import heapq
import json
import random
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from oversight.accounts.models import Role
from oversight.audit.models import AuditEntry
from oversight.db import db, utcnow
from oversight.demo.scale.chain import SYSTEM, Actor, Chain
from oversight.demo.scale.people import actor as actor_of, districts
from oversight.orgs.models import Organisation, OrgKind
from oversight.orgs.queries import get_by_code
from oversight.referrals.models import Classification, Referral
from oversight.workdays import today

from .models import (Area, ItemEvent, ListVersion, ProgressReport, Problem, RectificationItem, Responsibility,
                     SourceKind, Topic, TopicEvent, TopicSerialCounter, TopicSource, responsibility_co_units)
from .services.issuing import document_number
from .workflow import ItemAction as IA, ItemState as IS, Severity, TopicAction as TA, TopicState as TS

START, DONE = "demo.scale.topics.start", "demo.scale.topics.done"
CHUNK = 100           # topics per transaction
UTC = dt.timezone.utc

AREAS = {Area.BUSINESS: ("营商环境", ["涉企案件久拖不决", "涉企行政处罚裁量不一", "企业合规整改流于形式", "涉企“挂案”清理不及时"]),
         Area.LIVELIHOOD: ("民生保障", ["欠薪案件支持起诉不够", "养老服务机构监管缺位", "食品安全公益诉讼线索处置慢",
                                        "残疾人权益保障不到位"]),
         Area.ECOLOGY: ("生态环境", ["饮用水水源地违法建筑未清理", "固体废物非法倾倒反复出现", "河道非法采砂监管不力",
                                     "生态修复资金未落实"]),
         Area.PUBLIC_INTEREST: ("公益诉讼", ["诉前检察建议回复率低", "公益损害线索移送不畅", "行政机关整改不到位",
                                             "英烈保护领域案件办理不充分"]),
         Area.JUDICIAL: ("司法公正", ["羁押必要性审查不充分", "刑事申诉办理超期", "司法救助覆盖面窄", "案件质量评查发现问题整改慢"])}
MEASURES = ["建立台账，逐件清理", "完善工作机制并制定实施细则", "开展专项检查", "约谈相关负责人并督促整改", "组织业务培训",
            "建立部门联席会议制度", "引入第三方评估", "完善信息共享平台", "落实经费和人员保障", "建立长效监督机制"]
CATEGORIES = ["制度机制", "履职尽责", "队伍建设", "信息化", "衔接配合"]
LEGAL = ["《中华人民共和国各级人民代表大会常务委员会监督法》", "《中华人民共和国人民检察院组织法》",
         "《人民检察院检察建议工作规定》", "《中华人民共和国行政诉讼法》第二十五条"]
REPORT_TEXT = ["已制定工作方案并召开部署会", "已完成台账梳理，正在逐项推进", "专项检查已完成过半", "已出台配套制度，正在试行",
               "主要整改任务已完成，正在巩固成效", "整改任务已全部完成，形成总结报告"]
RETURN_TEXT = ["佐证材料不足，请补充整改前后对比材料", "整改措施未完全落实，请继续推进", "长效机制尚未建立，请补充"]
PERSONS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclass
class Pairing:
    committee: Organisation
    body: Organisation
    staff: Actor
    reviewer: Actor
    contact: Actor
    units: list[Organisation]        # the procuratorate and its departments
    share: int


@dataclass
class Rows:
    """One chunk's rows by table, and the ids handed out so far."""

    ids: dict[str, int]
    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict, *, with_id: bool = True) -> int:
        if with_id:
            self.ids[table] += 1
            row = {"id": self.ids[table], **row}
        self.tables.setdefault(table, []).append(row)
        return row.get("id", 0)


TABLES = {"topics": Topic.__table__, "topic_sources": TopicSource.__table__, "topic_problems": Problem.__table__,
          "topic_responsibilities": Responsibility.__table__, "responsibility_co_units": responsibility_co_units,
          "rectification_items": RectificationItem.__table__, "progress_reports": ProgressReport.__table__,
          "rectification_item_events": ItemEvent.__table__, "topic_events": TopicEvent.__table__,
          "topic_list_versions": ListVersion.__table__}


def stage(ctx) -> int:
    """Append topics until the profile's rectification item count is reached."""
    if _marker(DONE):
        return 0
    target = ctx.profile.rectification_items
    if not target:
        return 0
    t0 = time.perf_counter()
    if db.engine.dialect.name == "postgresql":   # deputies were inserted with explicit ids: accounts follow them
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('users', 'id'), "
                                   "(SELECT coalesce(max(id), 1) FROM users))"))
    pairings = _pairings(ctx.profile)
    db.session.commit()
    external = list(db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrgKind.EXTERNAL_UNIT,
                                                                     Organisation.active.is_(True),
                                                                     Organisation.code.like("JZ-GOV-%"))
                                       .order_by(Organisation.id)))
    sizes = plan(ctx.seed, target)
    first_day = ctx.until.replace(year=ctx.until.year - ctx.profile.years) + dt.timedelta(days=1)
    span = (ctx.until - first_day).days
    # Topics open from referrals: the ids and creation days of the referrals, to link a topic to ones before it.
    referrals = db.session.execute(sa.select(Referral.id, Referral.created_at).order_by(Referral.created_at)).all()
    ref_days = [r.created_at.date() for r in referrals]
    weights = [p.share for p in pairings]
    done = _marker_count()
    started = _marker(START)
    if started is None:   # the ids before the first topic, kept so a resumed run hands out the same ones
        started = {name: (db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0)
                   if name != "responsibility_co_units" else 0 for name, t in TABLES.items()}
        started["counters"] = {f"{o}:{y}": last for o, y, last in db.session.execute(
            sa.select(TopicSerialCounter.organisation_id, TopicSerialCounter.year, TopicSerialCounter.last))}
        chain = Chain()
        chain.add(START, at=utcnow(), actor=SYSTEM, object_type="", object_id="", summary=started)
        chain.flush()
        db.session.commit()
    ids = {name: started[name] for name in TABLES}
    # The serial counters as they were before the first topic (a resumed run counts the earlier ones again).
    counters = {tuple(map(int, k.split(":"))): v for k, v in started["counters"].items()}
    heap: list[tuple] = []
    written = items_written = 0

    def created(n: int) -> dt.datetime:
        day = first_day + dt.timedelta(days=n * span // len(sizes))
        return dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC) + dt.timedelta(minutes=7 * (n % 60))

    def simulate(n: int, rows: Rows) -> list[tuple]:
        rng = random.Random(ctx.seed * 1_000_003 + n)
        structure = draw(rng, big=_big(n))
        structure = _trim(structure, sizes[n])
        pairing = rng.choices(pairings, weights)[0]
        return _topic_life(n, rng, structure, pairing, external, created(n), ctx.until, rows, counters,
                           referrals, ref_days)

    if done:   # resuming: the earlier topics' lives again (not written), for the heap and the serials
        for n in range(done):
            scratch = Rows(ids)
            for entry in simulate(n, scratch):
                heapq.heappush(heap, entry)
        cutoff = created(done - 1)
        while heap and heap[0][0] <= cutoff:
            heapq.heappop(heap)
        ctx.echo(f"topics: resuming after {done}")
    for start in range(done, len(sizes), CHUNK):
        end = min(start + CHUNK, len(sizes))
        rows = Rows(ids)
        for n in range(start, end):
            for entry in simulate(n, rows):
                heapq.heappush(heap, entry)
        for name, table in TABLES.items():
            batch = rows.tables.get(name, [])
            for i in range(0, len(batch), 5000):
                db.session.execute(sa.insert(table), batch[i:i + 5000])
        cutoff = created(end - 1) if end < len(sizes) else dt.datetime.max.replace(tzinfo=UTC)
        chain = Chain()
        while heap and heap[0][0] <= cutoff:
            at, _seq, action, actor, object_type, object_id, summary = heapq.heappop(heap)
            chain.add(action, at=at, actor=actor, object_type=object_type, object_id=object_id, summary=summary)
        chain.add("demo.scale.topics.chunk", at=utcnow(), actor=SYSTEM, object_type="", object_id="",
                  summary={"topics": end})
        chain.flush()
        _save_counters(counters)
        db.session.commit()
        written += chain.written
        items_written += len(rows.tables.get("rectification_items", []))
        ctx.echo(f"topics {end:>6}/{len(sizes)} · {items_written:,} items · {written:,} audit entries · "
                 f"{time.perf_counter() - t0:.0f} s")
    if db.engine.dialect.name == "postgresql":
        for name in TABLES:
            if name != "responsibility_co_units":
                db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                           f"(SELECT coalesce(max(id), 1) FROM {name}))"))
    for name in TABLES:
        db.session.execute(sa.text(f"ANALYZE {name}"))
    counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for name, t in TABLES.items()}
    chain = Chain()
    chain.add(DONE, at=utcnow(), actor=SYSTEM, object_type="", object_id="",
              summary={"profile": ctx.profile.name, "seed": ctx.seed, **counts})
    chain.flush()
    db.session.commit()
    ctx.counts.update(topics=counts["topics"], rectification_items=counts["rectification_items"],
                      progress_reports=counts["progress_reports"], topic_audit_entries=written)
    ctx.echo(f"topics: {counts['topics']:,} topics, {counts['rectification_items']:,} items, "
             f"{counts['progress_reports']:,} progress reports in {time.perf_counter() - t0:.0f} s")
    return counts["rectification_items"]


stage.own_marker = True  # keeps its own done marker: also runs on a database finished before it existed


def _marker(action: str) -> dict | None:
    summary = db.session.scalar(sa.select(AuditEntry.summary).where(AuditEntry.action == action)
                                .order_by(AuditEntry.seq.desc()).limit(1))
    return json.loads(summary) if summary else None


def _marker_count() -> int:
    last = _marker("demo.scale.topics.chunk")
    return last["topics"] if last else 0


def _big(n: int) -> bool:
    return n % 40 == 7


def draw(rng: random.Random, *, big: bool) -> list[list[int]]:
    """Problems → responsibilities → number of items each."""
    problems = rng.randint(20, 36) if big else rng.randint(2, 8)
    return [[rng.randint(3, 6) if big else rng.randint(1, 4) for _ in range(rng.randint(2, 4) if big else
                                                                            rng.randint(1, 3))]
            for _ in range(problems)]


def plan(seed: int, target: int) -> list[int]:
    """Item count per topic, the last one cut so the total is exactly `target`."""
    sizes, total, n = [], 0, 0
    while total < target:
        structure = draw(random.Random(seed * 1_000_003 + n), big=_big(n))
        size = min(sum(map(sum, structure)), target - total)
        sizes.append(size)
        total += size
        n += 1
    return sizes


def _trim(structure: list[list[int]], size: int) -> list[list[int]]:
    out, left = [], size
    for resps in structure:
        kept = []
        for count in resps:
            if left <= 0:
                break
            kept.append(min(count, left))
            left -= kept[-1]
        if kept:
            out.append(kept)
    return out


def _pairings(profile) -> list[Pairing]:
    from oversight.demo.scale.people import _staff

    result = []
    for code in ["", *[c for c, *_ in districts(profile)]]:
        suffix = f"-{code}" if code else ""
        committee, proc = get_by_code("JZ-NPC" + suffix), get_by_code("JZ-P" + suffix)
        body = get_by_code(f"JZ-NPC{suffix}-JSW")
        if committee is None or proc is None or body is None:
            continue
        c = code.lower()
        staff = _staff("npc.liaison" if not code else f"{c}.liaison", "", body.code, Role.NPC_STAFF)
        reviewer = _staff("npc.reviewer" if not code else f"{c}.reviewer", f"{c.upper()}审核人", body.code,
                          Role.NPC_REVIEWER)
        contact = _staff("proc.contact" if not code else f"{c}.contact", f"{c.upper()}联络员",
                         "JZ-P-BGS" if not code else f"JZ-P-{code}-BGS", Role.PROCURATORATE_CONTACT)
        units = [proc, *db.session.scalars(sa.select(Organisation).where(
            Organisation.parent_id == proc.id, Organisation.kind == OrgKind.PROCURATORATE_DEPARTMENT)
            .order_by(Organisation.id))]
        result.append(Pairing(committee, body, actor_of(staff), actor_of(reviewer), actor_of(contact), units,
                              share=6 if not code else 2))
    return result


def _save_counters(counters: dict[tuple[int, int], int]) -> None:
    table = TopicSerialCounter.__table__
    existing = {(o, y): last for o, y, last in db.session.execute(sa.select(table.c.organisation_id, table.c.year,
                                                                           table.c.last))}
    for (org_id, year), last in sorted(counters.items()):
        if (org_id, year) not in existing:
            db.session.execute(sa.insert(table).values(organisation_id=org_id, year=year, last=last))
        elif existing[(org_id, year)] < last:
            db.session.execute(sa.update(table).where(table.c.organisation_id == org_id, table.c.year == year)
                               .values(last=last))


def _working(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def _topic_life(n, rng, structure, pairing: Pairing, external, created_at, until, rows: Rows, counters,
                referrals, ref_days) -> list[tuple]:
    """Rows of one topic and its lists and items; returns its audit entries (heap tuples)."""
    entries: list[tuple] = []
    end = _working(until, 12)
    seq = [0]

    def audit(at, action, actor, object_type, object_id, summary):
        seq[0] += 1
        entries.append((at, n * 1_000_000 + seq[0], action, actor, object_type, object_id, summary))

    area = rng.choice(list(AREAS))
    area_name, problem_texts = AREAS[area]
    topic_id = rows.ids["topics"] + 1
    staff, reviewer, contact = pairing.staff, pairing.reviewer, pairing.contact
    title = f"关于{pairing.committee.name.removesuffix('人大常委会')}{area_name}领域{rng.choice(problem_texts)}问题的监督议题"
    topic_events: list[dict] = []
    state = TS.OPEN

    def topic_event(at, action, to_state, actor: Actor, note=""):
        nonlocal state
        topic_events.append(dict(topic_id=topic_id, action=action, from_state=state.value, to_state=to_state.value,
                                 actor_id=actor.id, actor_label=actor.name, side=actor.side, at=at, note=note))
        audit(at, f"topic.{action}", actor, "topics", topic_id, {"from": state.value, "to": to_state.value})
        state = to_state

    audit(created_at, "topic.create", staff, "topics", topic_id, {"title": title, "area": area.value})
    # Sources: one to three referrals created in the three months before the topic.
    day = created_at.date()
    hi = bisect.bisect_left(ref_days, day)
    lo = bisect.bisect_left(ref_days, day - dt.timedelta(days=90))
    sources = []
    if hi > lo:
        for ref_id in sorted({referrals[rng.randrange(lo, hi)].id for _ in range(rng.randint(1, 3))}):
            sources.append(dict(topic_id=topic_id, kind=SourceKind.REFERRAL, referral_id=ref_id, reference=""))
    if rng.random() < 0.3:
        sources.append(dict(topic_id=topic_id, kind=SourceKind.MEETING_DECISION, referral_id=None,
                            reference=f"主任会议第{rng.randint(1, 60)}次会议议定事项"))

    submitted = created_at + dt.timedelta(days=rng.randint(10, 25))
    issued_at = submitted + dt.timedelta(days=rng.randint(2, 7))
    # Items: structure first, lives after issue.
    problems, items = [], []
    for p_no, resps in enumerate(structure, start=1):
        problem_id = rows.add("topic_problems", dict(
            topic_id=topic_id, number=p_no, description=f"{rng.choice(problem_texts)}（{p_no}）：{area_name}领域存在的突出问题",
            evidence=f"移送事项及专题调研报告第{rng.randint(1, 30)}页", category=rng.choice(CATEGORIES),
            severity=rng.choices(list(Severity), (6, 3, 1))[0]))
        problems.append(problem_id)
        for count in resps:
            external_unit = external and rng.random() < 0.15
            unit = rng.choice(external) if external_unit else rng.choice(pairing.units)
            person = rng.choice(PERSONS) + rng.choice(("主任", "处长", "副检察长", "科长"))
            resp_id = rows.add("topic_responsibilities", dict(
                problem_id=problem_id, lead_unit_id=unit.id, responsible_person=person, legal_basis=rng.choice(LEGAL)))
            if rng.random() < 0.2 and len(pairing.units) > 1:
                co = rng.choice([u for u in pairing.units if u.id != unit.id])
                rows.add("responsibility_co_units", dict(responsibility_id=resp_id, organisation_id=co.id),
                         with_id=False)
            for _ in range(count):
                items.append((resp_id, unit, person, rng.choice(MEASURES), rng.randint(60, 360)))
    issued = issued_at <= end
    if submitted <= end:
        topic_event(submitted, TA.SUBMIT.value, TS.IN_REVIEW, staff)
    serial = None
    snapshot_items = []
    first_start = None
    last_signoff = None
    all_signed = bool(items)
    item_rows = []
    revise_at = issued_at + dt.timedelta(days=rng.randint(90, 200)) if rng.random() < 0.06 else None
    reissue_at = revise_at + dt.timedelta(days=rng.randint(5, 20)) if revise_at else None
    for resp_id, unit, person, measure, days in items:
        item_id = rows.ids["rectification_items"] + 1 + len(item_rows)
        due = issued_at.date() + dt.timedelta(days=days)
        row = dict(topic_id=topic_id, responsibility_id=resp_id, unit_id=unit.id, measures=f"{measure}，{rng.choice(MEASURES)}",
                   milestones=f"{rng.randint(1, 3)}个月内完成方案，{rng.randint(4, 8)}个月内完成主体整改", due_date=due,
                   responsible_person=person, state=IS.PENDING, issued_in=1 if issued else None, reported_percent=0,
                   accepted_percent=0, progress_every_days=30, progress_due=None, return_reason=None, urge_count=0,
                   extension_requested_until=None, extension_reason=None, extensions_granted=0, signed_off_at=None,
                   due_soon_notified_for=None, overdue_notified_for=None, progress_notified_for=None,
                   updated_at=issued_at if issued else created_at, version=1)
        snapshot_items.append((resp_id, item_id, row))
        item_rows.append((row, unit))
    first_snapshot = _snapshot(title, problems, snapshot_items, rows, pairing, external) if issued else None
    for (row, unit), (_r, item_id, _row) in zip(item_rows, snapshot_items):
        if issued:
            started, signed = _item_life(rng, item_id, row, unit, pairing, end, issued_at, rows, audit,
                                         topic_id, external_unit=unit.kind is OrgKind.EXTERNAL_UNIT)
            if started and (first_start is None or started < first_start):
                first_start = started
            if signed is None:
                all_signed = False
            elif last_signoff is None or signed > last_signoff:
                last_signoff = signed
    item_rows = [row for row, _unit in item_rows]
    version_rows = []
    if issued:
        year = issued_at.year
        counters[(pairing.committee.id, year)] = counters.get((pairing.committee.id, year), 0) + 1
        serial = f"{pairing.committee.serial_prefix or pairing.committee.code}-QD-{year}-{counters[(pairing.committee.id, year)]:04d}"
        version_rows.append(dict(topic_id=topic_id, number=1, document_number=serial, snapshot=first_snapshot,
                                 issued_by_id=reviewer.id, drafted_by_id=staff.id, issued_at=issued_at, note=""))
        topic_event(issued_at, TA.ISSUE.value, TS.ISSUED, reviewer, note=serial)
        if first_start is not None:
            topic_event(first_start, TA.START.value, TS.RECTIFYING, SYSTEM)
    version = 1
    if issued and revise_at and revise_at <= end and state is TS.RECTIFYING and not all_signed:
        # A revision: back to drafting; some open items get later due dates in the draft.
        topic_event(revise_at, TA.REVISE.value, TS.OPEN, staff, note="根据整改进展调整部分整改期限")
        open_rows = [r for r in item_rows if r["state"] in (IS.PENDING, IS.IN_PROGRESS) and r["due_date"] > until]
        for r in open_rows[:3]:
            r["due_date"] += dt.timedelta(days=rng.randint(30, 60))
        if reissue_at <= end:
            topic_event(reissue_at - dt.timedelta(days=1), TA.SUBMIT.value, TS.IN_REVIEW, staff)
            version = 2
            snap = _snapshot(title, problems, snapshot_items, rows, pairing, external)
            version_rows.append(dict(topic_id=topic_id, number=2, document_number=document_number(serial, 2),
                                     snapshot=snap, issued_by_id=reviewer.id, drafted_by_id=staff.id,
                                     issued_at=reissue_at, note="修订"))
            topic_event(reissue_at, TA.ISSUE.value, TS.RECTIFYING, reviewer, note=document_number(serial, 2))
    evaluation = None
    if issued and all_signed and last_signoff is not None and state is TS.RECTIFYING:
        at = last_signoff + dt.timedelta(days=rng.randint(10, 30))
        if at <= end:
            evaluation = "整改任务全部完成，经评估整改成效明显，建立了长效机制。"
            topic_event(at, TA.EVALUATE.value, TS.EVALUATED, staff, note=evaluation)
            at += dt.timedelta(days=rng.randint(5, 20))
            if at <= end:
                topic_event(at, TA.CLOSE.value, TS.CLOSED, staff)
    updated = max([e["at"] for e in topic_events] + [created_at]
                  + [r["updated_at"] for r in item_rows])
    rows.add("topics", dict(
        title=title, description=f"{area_name}领域的突出问题，由{pairing.committee.name}组织监督。", area=area,
        owner_org_id=pairing.committee.id, lead_body_id=pairing.body.id, state=state,
        classification=Classification.INTERNAL, serial=serial, issued_version=version if issued else 0,
        submitted_by_id=staff.id if submitted <= end else None, review_note=None,
        revision_reason="根据整改进展调整部分整改期限" if revise_at and revise_at <= end and issued else None,
        evaluation=evaluation, created_by_id=staff.id, created_at=created_at, updated_at=updated,
        version=1 + len(topic_events)))
    for source in sources:
        rows.add("topic_sources", source)
    for row in item_rows:
        rows.add("rectification_items", row)
    for event in topic_events:
        rows.add("topic_events", event)
    for v in version_rows:
        rows.add("topic_list_versions", v)
    return entries


def _snapshot(title, problems, snapshot_items, rows: Rows, pairing, external) -> str:
    """The issued version's snapshot, in `issuing.snapshot`'s shape, from the rows just made."""
    resp_rows = {r["id"]: r for r in rows.tables.get("topic_responsibilities", [])}
    prob_rows = {p["id"]: p for p in rows.tables.get("topic_problems", [])}
    co_rows: dict[int, list[int]] = {}
    for c in rows.tables.get("responsibility_co_units", []):
        co_rows.setdefault(c["responsibility_id"], []).append(c["organisation_id"])
    names = {u.id: u.name for u in [*pairing.units, *external]}
    out = []
    for problem_id in problems:
        p = prob_rows[problem_id]
        resps = []
        for resp_id in [r for r in resp_rows if resp_rows[r]["problem_id"] == problem_id]:
            r = resp_rows[resp_id]
            resps.append({"key": resp_id, "lead_unit": names[r["lead_unit_id"]],
                          "co_units": [names[o] for o in co_rows.get(resp_id, [])],
                          "responsible_person": r["responsible_person"], "legal_basis": r["legal_basis"],
                          "items": [{"key": iid, "measures": row["measures"], "milestones": row["milestones"],
                                     "due_date": row["due_date"].isoformat(),
                                     "responsible_person": row["responsible_person"]}
                                    for rid, iid, row in snapshot_items if rid == resp_id]})
        out.append({"number": p["number"], "description": p["description"], "evidence": p["evidence"],
                    "category": p["category"], "severity": p["severity"].value, "responsibilities": resps})
    return json.dumps({"title": title, "description": "", "problems": out}, ensure_ascii=False, sort_keys=True)


def _item_life(rng, item_id, row, unit, pairing: Pairing, end, issued_at, rows: Rows, audit, topic_id, *,
               external_unit: bool):
    """Simulate one issued item up to `end`; fills `row`, writes its reports and events.
    Returns (first start, sign-off) moments or None."""
    npc, npc2 = pairing.staff, pairing.reviewer
    unit_actor = npc if external_unit else pairing.contact
    signer = npc2 if external_unit else npc            # four eyes: never the one who entered the progress
    state = IS.PENDING
    started = signed = None
    t = issued_at + dt.timedelta(days=rng.randint(5, 30))
    stalled = rng.random() < 0.15
    percent = 0
    urges = 0
    extension = rng.random() < 0.1

    last = [issued_at]

    def event(at, action: IA, to_state, actor: Actor, note="", due_before=None, summary=None):
        """One step at `at` — never before the previous one (the timeline runs in order)."""
        nonlocal state
        at = min(max(at, last[0] + dt.timedelta(hours=1)), end) if at <= last[0] else at
        last[0] = at
        rows.add("rectification_item_events", dict(
            item_id=item_id, action=action.value, from_state=state.value, to_state=to_state.value,
            actor_id=actor.id, actor_label=actor.name, side=actor.side, at=at, note=note,
            due_before=due_before or row["due_date"], due_after=row["due_date"]))
        audit(at, f"rectification.{action.value}", actor, "rectification_items", item_id,
              {"topic": topic_id, "from": state.value, "to": to_state.value, "reported": row["reported_percent"],
               "accepted": row["accepted_percent"], **(summary or {})})
        state = to_state
        row["state"] = state
        row["updated_at"] = at
        row["version"] += 1

    last_report = issued_at
    while t <= end and state is not IS.SIGNED_OFF:
        due_at = _working(row["due_date"], 9)
        # Extension requested before the due date, approved most of the time.
        if extension and state is IS.IN_PROGRESS and t > due_at - dt.timedelta(days=20):
            extension = False
            until = row["due_date"] + dt.timedelta(days=rng.randint(60, 120))
            ask = due_at - dt.timedelta(days=rng.randint(5, 19))
            if ask > last_report and ask <= end:
                event(ask, IA.REQUEST_EXTENSION, state, unit_actor, note=f"申请延期至 {until.isoformat()}：任务量大")
                answer = ask + dt.timedelta(days=rng.randint(2, 6))
                if answer > end:
                    row["extension_requested_until"], row["extension_reason"] = until, "任务量大"
                    break
                before = row["due_date"]
                if rng.random() < 0.8:
                    row["due_date"] = until
                    row["extensions_granted"] += 1
                    event(answer, IA.DECIDE_EXTENSION, state, npc, note=f"同意延期至 {until.isoformat()}。",
                          due_before=before, summary={"approved": True})
                else:
                    event(answer, IA.DECIDE_EXTENSION, state, npc, note="不同意延期。", summary={"approved": False})
                continue
        # Urging once overdue, escalating the second time.
        if state is IS.IN_PROGRESS and t > due_at + dt.timedelta(days=10 + 30 * urges) and urges < 2:
            at = due_at + dt.timedelta(days=10 + 30 * urges)
            urges += 1
            row["urge_count"] = urges
            event(at, IA.URGE, state, npc, note="请加快整改进度", summary={"urge_count": urges, "escalated": urges >= 2})
            continue
        if percent < 100:
            t = max(t, last[0] + dt.timedelta(hours=1))
            if t > end:
                break
            step = rng.randint(0, 12) if stalled else rng.randint(10, 35)
            percent = min(100, percent + step)
            text = REPORT_TEXT[min(len(REPORT_TEXT) - 1, percent * len(REPORT_TEXT) // 101)]
            rows.add("progress_reports", dict(
                item_id=item_id, percent=percent, text=text, evidence="整改台账、会议纪要", lower_reason=None,
                on_behalf=external_unit, reported_by_id=unit_actor.id, reported_at=t))
            row["reported_percent"] = percent
            row["accepted_percent"] = min(row["accepted_percent"], percent)
            note = f"进展 {percent}%：{text}"
            if external_unit:
                note = "（人大代为录入）" + note
            started = started or t
            event(t, IA.REPORT_PROGRESS, IS.IN_PROGRESS, unit_actor, note=note,
                  summary={"percent": percent, "on_behalf": external_unit})
            last_report = t
            # The NPC side accepts part of the reported progress on the evidence, now and then.
            accept = t + dt.timedelta(days=rng.randint(2, 8))
            if rng.random() < 0.4 and accept <= end and percent < 100 and signer.id != unit_actor.id:
                row["accepted_percent"] = percent
                event(accept, IA.ACCEPT_PROGRESS, state, signer, note=f"认定进展 {percent}%。", summary={"accepted": percent})
            t += dt.timedelta(days=rng.randint(20, 40))
            continue
        # 100 %: ask for sign-off; returned once in five, otherwise signed off.
        event(t, IA.REQUEST_SIGNOFF, IS.AWAITING_SIGNOFF, unit_actor)
        decide = t + dt.timedelta(days=rng.randint(3, 15))
        if decide > end:
            break
        if rng.random() < 0.2 and not row["return_reason"]:
            reason = rng.choice(RETURN_TEXT)
            row["return_reason"] = reason
            event(decide, IA.RETURN, IS.IN_PROGRESS, signer, note=reason)
            t = decide + dt.timedelta(days=rng.randint(10, 20))
            if t > end:
                break
            rows.add("progress_reports", dict(item_id=item_id, percent=100, text="已按退回意见补充整改并提交佐证材料",
                                              evidence="补充佐证材料", lower_reason=None, on_behalf=external_unit,
                                              reported_by_id=unit_actor.id, reported_at=t))
            event(t, IA.REPORT_PROGRESS, IS.IN_PROGRESS, unit_actor, note="进展 100%：已按退回意见补充整改",
                  summary={"percent": 100, "on_behalf": external_unit})
            last_report = t
            t += dt.timedelta(days=rng.randint(1, 5))
            continue
        row["accepted_percent"] = 100
        row["signed_off_at"] = decide
        row["return_reason"] = None
        event(decide, IA.SIGN_OFF, IS.SIGNED_OFF, signer)
        signed = decide
    if state in (IS.PENDING, IS.IN_PROGRESS):
        on = end.date()
        row["progress_due"] = min((last_report + dt.timedelta(days=30)).date(), row["due_date"])
        # What the daily sweep would have sent already.
        if row["progress_due"] <= on:
            row["progress_notified_for"] = row["progress_due"]
        if row["due_date"] <= on:
            row["overdue_notified_for"] = row["due_date"]
        elif row["due_date"] <= on + dt.timedelta(days=7):
            row["due_soon_notified_for"] = row["due_date"]
    return started, signed
