"""The liaison stage of `flask demo scale`: the profile's meetings between each NPC committee and its
paired procuratorate, with their agenda (the first item linking a referral of that pairing),
invitations and responses, minutes, decisions and action items — inserted in bulk, one transaction,
with the audit entries the services would write (`liaison.meeting.schedule`, `.invite`,
`liaison.invitation.respond`, `liaison.meeting.hold` / `.cancel`, `liaison.minutes.approve`,
`liaison.action_item.complete` / `.drop`) appended through `ctx.chain`'s `Chain`.

Meetings are spread over the profile's years up to the generator's `until` and two months beyond it
(scheduled ones); 3 % are cancelled; held meetings older than two weeks have approved minutes with one
or two decisions that became action items (open when due in the last 90 days or later, otherwise done,
every 25th dropped). Deterministic for the seed; skipped when the meetings are already there."""
from __future__ import annotations

import datetime as dt
import random
import time

import sqlalchemy as sa

from oversight.db import db, utcnow
from oversight.demo.scale.chain import Actor, Chain
from oversight.demo.scale.people import casts, ensure_staff
from .meetings.models import AgendaItem, Invitation, Meeting
from .minutes.models import ActionItem, Decision, Minutes

UID_SUFFIX = "@scale.liaison"
KINDS = ["joint_meeting", "liaison_meeting", "liaison_meeting", "consultation", "briefing"]
TOPICS = ["检察建议落实情况通报", "公益诉讼线索移送会商", "代表建议办理情况沟通", "执法检查配合事项",
          "司法改革推进情况交流", "专项监督工作联络", "检察听证代表参与安排", "年度工作要点对接"]
DECISIONS = ["三十日内书面反馈办理情况", "联合开展专项调研", "补充移送相关材料", "会同有关部门研究整改方案",
             "下次联席会议通报进展"]
CHUNK = 5000


def _ids(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model.__table__), rows[start:start + CHUNK])


def stage(ctx) -> int:
    """Make `ctx.profile.meetings` meetings; returns how many were made (0 when already there)."""
    total = getattr(ctx.profile, "meetings", 0)
    if not total or db.session.scalar(sa.select(Meeting.id).where(Meeting.uid.like(f"%{UID_SUFFIX}")).limit(1)):
        return 0
    t0 = time.perf_counter()
    rng = random.Random(ctx.seed * 7919 + 6)
    pairs = casts(ctx.profile, ensure_staff(ctx.profile), ctx.seed)
    weights = [c.share for c in pairs]
    # Referrals of each pairing, by the organisations on either end, for the first agenda item.
    org_pair: dict[int, int] = {}
    for index, cast in enumerate(pairs):
        for org in (cast.npc, cast.proc, *(unit for unit, _h in cast.units)):
            org_pair[org.id] = index
        org_pair.setdefault(cast.liaison.organisation_id, index)
        org_pair.setdefault(cast.contact.organisation_id, index)
    referrals: dict[int, list[int]] = {}
    for rid, sender, receiver in db.session.execute(
            sa.text("SELECT id, sender_org_id, receiver_org_id FROM referrals ORDER BY id")):
        index = org_pair.get(receiver, org_pair.get(sender))
        if index is not None:
            referrals.setdefault(index, []).append(rid)

    until = dt.datetime.combine(ctx.until, dt.time(23, 59), tzinfo=dt.timezone.utc)
    first_day = ctx.until.replace(year=ctx.until.year - ctx.profile.years) + dt.timedelta(days=1)
    span_days = (ctx.until - first_day).days + 60
    now = utcnow()
    ids = {m: _ids(m) for m in (Meeting, AgendaItem, Invitation, Minutes, Decision, ActionItem)}
    meetings, agenda, invitations, minutes, decisions, items = [], [], [], [], [], []
    entries: list[tuple] = []   # (at, k, action, actor, object_type, object_id, summary)

    def audit(at, action, actor: Actor, obj_type: str, obj_id: int, summary: dict) -> None:
        entries.append((at, len(entries), action, actor, obj_type, obj_id, summary))

    for n in range(total):
        cast = rng.choices(pairs, weights)[0]
        index = pairs.index(cast)
        day = first_day + dt.timedelta(days=n * span_days // total)
        # 09:00 or 14:30 Beijing time (01:00 / 06:30 UTC), two hours.
        starts = dt.datetime(day.year, day.month, day.day, 1 if rng.random() < 0.6 else 6,
                             0 if rng.random() < 0.6 else 30, tzinfo=dt.timezone.utc)
        ends = starts + dt.timedelta(hours=2)
        created = starts - dt.timedelta(days=rng.randint(7, 20), hours=rng.randint(0, 6))
        mid, title = ids[Meeting] + n, f"{rng.choice(TOPICS)}（第{n + 1}次）"
        kind = rng.choice(KINDS)
        cancelled = rng.random() < 0.03
        past = ends < until
        state = "cancelled" if cancelled else ("held" if past else "scheduled")
        sequence = 1 if cancelled else 0
        meetings.append(dict(id=mid, uid=f"m{n + 1:06d}-{ctx.seed}{UID_SUFFIX}", kind=kind, state=state,
                             title=title, starts_at=starts, ends_at=ends, place=f"{cast.npc.name}第{rng.randint(1, 5)}会议室",
                             online_url="", description="", organiser_org_id=cast.npc.id,
                             counterpart_org_id=cast.proc.id, created_by_id=cast.liaison.id,
                             cancel_reason="议题调整，另行安排" if cancelled else None, sequence=sequence,
                             reminded_for=(starts - dt.timedelta(days=1)).date() if past else None,
                             created_at=created, updated_at=created, version=1))
        audit(created, "liaison.meeting.schedule", cast.liaison, "liaison_meetings", mid, {
            "title": title, "kind": kind, "starts_at": starts.isoformat(), "counterpart": cast.proc.name})
        pool = referrals.get(index) or []
        first_agenda = ids[AgendaItem] + len(agenda)
        for position in range(1, 4):
            referral = pool[rng.randrange(len(pool))] if position == 1 and pool else None
            agenda.append(dict(id=ids[AgendaItem] + len(agenda), meeting_id=mid, position=position,
                               title=f"议程{position}：{rng.choice(TOPICS)}", referral_id=referral, follow_up_id=None,
                               discussion="与会双方逐项交流，意见一致。" if state == "held" else ""))
        invitees = [cast.liaison, cast.contact, *(h for _u, h in cast.units)]
        audit(created, "liaison.meeting.invite", cast.liaison, "liaison_meetings", mid,
              {"users": sorted(a.label.rsplit("（", 1)[-1].rstrip("）") for a in invitees), "conflicts": 0})
        for who in invitees:
            iid = ids[Invitation] + len(invitations)
            declined = rng.random() < 0.1
            responded = created + dt.timedelta(hours=rng.randint(2, 72))
            answered = past or rng.random() < 0.7
            response = ("declined" if declined else "accepted") if answered else "pending"
            invitations.append(dict(id=iid, meeting_id=mid, user_id=who.id, response=response,
                                    reason="另有公务，无法参加" if response == "declined" else None, delegate_id=None,
                                    delegated_from_id=None, responded_at=responded if answered else None,
                                    attended=(response == "accepted") if state == "held" else None,
                                    created_at=created, version=1))
            if answered:
                audit(responded, "liaison.invitation.respond", who, "liaison_invitations", iid,
                      {"meeting": mid, "response": response, "delegate": None})
        if cancelled:
            audit(starts - dt.timedelta(days=2), "liaison.meeting.cancel", cast.liaison, "liaison_meetings", mid,
                  {"reason": "议题调整，另行安排"})
            continue
        if not past:
            continue
        audit(ends, "liaison.meeting.hold", cast.liaison, "liaison_meetings", mid, {"title": title})
        if ends > until - dt.timedelta(days=14):   # recent: the minutes are still being drafted
            minutes.append(dict(id=ids[Minutes] + len(minutes), meeting_id=mid, state="draft", summary="",
                                drafted_by_id=cast.liaison.id, review_until=None, approved_by_id=None,
                                approved_at=None, created_at=ends, updated_at=ends, version=1))
            continue
        minutes_id = ids[Minutes] + len(minutes)
        approved = ends + dt.timedelta(days=rng.randint(8, 12))
        minutes.append(dict(id=minutes_id, meeting_id=mid, state="approved", summary="会议通报了有关情况，议定以下事项。",
                            drafted_by_id=cast.liaison.id, review_until=(ends + dt.timedelta(days=7)).date(),
                            approved_by_id=cast.liaison.id, approved_at=approved, created_at=ends,
                            updated_at=approved, version=3))
        audit(approved, "liaison.minutes.approve", cast.liaison, "liaison_minutes", minutes_id,
              {"meeting": mid, "state": "approved"})
        for position in range(1, rng.choice((2, 3))):
            did, aid = ids[Decision] + len(decisions), ids[ActionItem] + len(items)
            text, due = rng.choice(DECISIONS), (ends + dt.timedelta(days=rng.choice((15, 30, 60)))).date()
            owner = cast.proc if position == 1 else cast.npc
            decisions.append(dict(id=did, minutes_id=minutes_id, agenda_item_id=first_agenda + position - 1,
                                  position=position, text=text, owner_org_id=owner.id, owner_id=None, due_on=due))
            state_, closed, note, reason = "open", None, "", None
            if due < ctx.until - dt.timedelta(days=90):
                closed = dt.datetime.combine(due, dt.time(8), tzinfo=dt.timezone.utc) - dt.timedelta(days=rng.randint(0, 10))
                closed = max(closed, approved + dt.timedelta(hours=1))
                if (n + position) % 25 == 0:
                    state_, reason = "dropped", "情况变化，无需继续办理"
                    audit(closed, "liaison.action_item.drop", cast.contact, "liaison_action_items", aid,
                          {"reason": reason})
                else:
                    state_, note = "done", "已按议定事项办结并书面反馈。"
                    audit(closed, "liaison.action_item.complete", cast.contact, "liaison_action_items", aid,
                          {"note": note})
            items.append(dict(id=aid, decision_id=did, meeting_id=mid, title=text, owner_org_id=owner.id,
                              owner_id=None, due_on=due, state=state_, done_note=note, drop_reason=reason,
                              closed_at=closed, referral_id=None, due_soon_notified_for=None,
                              overdue_notified_for=None, created_at=approved, version=2 if closed else 1))
    for model, rows in ((Meeting, meetings), (AgendaItem, agenda), (Invitation, invitations), (Minutes, minutes),
                        (Decision, decisions), (ActionItem, items)):
        _insert(model, rows)
    entries.sort(key=lambda e: (e[0], e[1]))
    chain = Chain()
    for at, _k, action, actor, obj_type, obj_id, summary in entries:
        chain.add(action, at=at, actor=actor, object_type=obj_type, object_id=obj_id, summary=summary)
    chain.flush()
    if db.engine.dialect.name == "postgresql":   # explicit ids: move the sequences past them
        for model in (Meeting, AgendaItem, Invitation, Minutes, Decision, ActionItem):
            table = model.__tablename__
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    ctx.counts.update(meetings=len(meetings), agenda_items=len(agenda), invitations=len(invitations),
                      minutes=len(minutes), action_items=len(items), liaison_audit_entries=chain.written)
    ctx.echo(f"liaison: {len(meetings)} meetings, {len(agenda)} agenda items, {len(invitations)} invitations, "
             f"{len(minutes)} minutes, {len(items)} action items, {chain.written} audit entries "
             f"({time.perf_counter() - t0:.1f} s)")
    return len(meetings)
