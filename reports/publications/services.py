"""Every change of a publication: drafting, review with the redaction check, publishing, withdrawing.

Each function checks the workflow table, the actor's role and committee, and the version; mutates; writes the
audit chain; flushes. None commits. Publishing is refused while the text holds an unresolved redaction hit or
while anything it carries (its topic, its report run) is classified above 公开.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from issues.models import Topic, TopicSource
from oversight import redaction
from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.permissions import institution_of
from oversight.referrals.models import Classification
from reports.models import ReportRun, RunStatus

from . import labels, permissions, snapshot
from .models import Publication, RedactionJustification
from .workflow import TRANSITIONS, PubAction, PubKind, PubState

MAX_TITLE, MAX_SUMMARY, MAX_BODY = 200, 500, 50_000
TEXT_FIELDS = ("title", "summary", "body")
PERIODIC_REPORTS = frozenset({"monthly", "quarterly", "annual"})  # aggregate figures only, no item titles


# --- checks ----------------------------------------------------------------------------------------
def check(pub: Publication, action: PubAction, actor, *, expected_version: int | None = None) -> None:
    if expected_version is not None and pub.version != expected_version:
        raise Conflict(_("该公开信息已被他人修改，请刷新后重试。"))
    if (pub.state, action) not in TRANSITIONS:
        raise InvalidTransition(_("公开信息当前处于“%(state)s”状态，不能执行“%(action)s”。",
                                  state=labels.state(pub.state), action=labels.action(action)))
    if not permissions.can_act(actor, pub, action):
        raise NotAllowed(_("您不能对此公开信息执行“%(action)s”。", action=labels.action(action)))


def _apply(pub: Publication, action: PubAction, actor, summary: dict | None = None) -> None:
    before = pub.state
    pub.state = TRANSITIONS[(pub.state, action)].target or pub.state
    pub.updated_at = utcnow()
    db.session.flush()
    audit.record(f"publication.{action.value}", actor=actor, obj=pub,
                 summary={"title": pub.title, "kind": pub.kind.value, "from": before.value, "to": pub.state.value,
                          **(summary or {})})


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({field: _("请填写理由。")})
    return text


# --- the redaction check ---------------------------------------------------------------------------
def private_names(pub: Publication) -> list[str]:
    """Private persons the source records name: the drafter's list, and the contact names of clues that became
    the referrals behind the publication's topic (when the clue port is installed)."""
    names = [line.strip() for line in (pub.private_names or "").splitlines() if line.strip()]
    clues = db.metadata.tables.get("clues")
    if pub.topic_id is not None and clues is not None and "contact_name" in clues.c and "referral_id" in clues.c:
        referral_ids = sa.select(TopicSource.referral_id).where(TopicSource.topic_id == pub.topic_id,
                                                                TopicSource.referral_id.is_not(None))
        names += [n for n in db.session.scalars(sa.select(clues.c.contact_name).where(
            clues.c.referral_id.in_(referral_ids), clues.c.contact_name.is_not(None))) if n]
    return names


def hits(pub: Publication) -> list[tuple[str, redaction.Hit]]:
    """Every hit in the publication's public text, as (field, hit)."""
    names = private_names(pub)
    return [(field, hit) for field in TEXT_FIELDS for hit in redaction.find_hits(getattr(pub, field) or "", names)]


def justified(pub: Publication) -> set[tuple[str, str]]:
    return {(j.kind, j.value) for j in pub.justifications}


def unresolved(pub: Publication) -> list[tuple[str, redaction.Hit]]:
    kept = justified(pub)
    return [(f, h) for f, h in hits(pub) if (h.kind, h.text) not in kept]


def redact(pub: Publication, *, actor, kind: str, value: str, expected_version: int | None = None) -> int:
    """Mask every occurrence of one hit (kind and text) in the title, summary and body. Returns how many."""
    check(pub, PubAction.REDACT, actor, expected_version=expected_version)
    names = private_names(pub)
    count = 0
    for field in TEXT_FIELDS:
        text = getattr(pub, field) or ""
        chosen = [h for h in redaction.find_hits(text, names) if h.kind == kind and h.text == value]
        if chosen:
            setattr(pub, field, redaction.mask(text, chosen))
            count += len(chosen)
    if not count:
        raise ValidationFailed(_("正文中已没有这一处命中，请刷新页面。"))
    _apply(pub, PubAction.REDACT, actor, {"kind": kind, "count": count})  # the value itself stays out of the log
    return count


def redact_all(pub: Publication, *, actor, expected_version: int | None = None) -> int:
    """Mask every unresolved hit at once."""
    check(pub, PubAction.REDACT, actor, expected_version=expected_version)
    names, kept, count = private_names(pub), justified(pub), 0
    for field in TEXT_FIELDS:
        text = getattr(pub, field) or ""
        chosen = [h for h in redaction.find_hits(text, names) if (h.kind, h.text) not in kept]
        if chosen:
            setattr(pub, field, redaction.mask(text, chosen))
            count += len(chosen)
    _apply(pub, PubAction.REDACT, actor, {"kind": "all", "count": count})
    return count


def justify(pub: Publication, *, actor, kind: str, value: str, reason: str,
            expected_version: int | None = None) -> RedactionJustification:
    """Keep one hit as it is, for a stated reason (e.g. a public office's hotline). Reviewer only."""
    check(pub, PubAction.JUSTIFY, actor, expected_version=expected_version)
    reason = _reason(reason)
    if not any(h.kind == kind and h.text == value for _f, h in hits(pub)):
        raise ValidationFailed(_("正文中已没有这一处命中，请刷新页面。"))
    row = RedactionJustification(publication=pub, kind=kind, value=value[:200], reason=reason, decided_by_id=actor.id)
    db.session.add(row)
    _apply(pub, PubAction.JUSTIFY, actor, {"kind": kind, "reason": reason})
    return row


# --- drafting ---------------------------------------------------------------------------------------
def _validate(kind: PubKind, title: str, summary: str, body: str, topic: Topic | None,
              run: ReportRun | None, owner_org_id: int) -> dict:
    errors = {}
    title, summary, body = (title or "").strip(), (summary or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("标题不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = _("摘要不能超过 %(n)d 个字符。", n=MAX_SUMMARY)
    if len(body) > MAX_BODY:
        errors["body"] = _("正文不能超过 %(n)d 个字符。", n=MAX_BODY)
    if kind in (PubKind.KEY_TOPIC, PubKind.RECTIFICATION_STATUS):
        if topic is None:
            errors["topic"] = _("请选择对应的监督议题。")
        elif topic.owner_org_id != owner_org_id:
            errors["topic"] = _("只能公开本级人大常委会的监督议题。")
    if kind is PubKind.RECTIFICATION_STATUS and topic is not None and topic.issued_version == 0:
        errors["topic"] = _("该议题的清单尚未印发，没有可公开的整改情况。")
    if kind is PubKind.PUBLIC_REPORT:
        if run is None:
            errors["report_run"] = _("请选择要公开的报告。")
        else:
            problem = report_problem(run, owner_org_id)
            if problem:
                errors["report_run"] = problem
    if errors:
        raise ValidationFailed(errors)
    return {"title": title, "summary": summary, "body": body}


def report_problem(run: ReportRun, owner_org_id: int) -> str | None:
    """Why `run` may not be attached to a public report (None: it may)."""
    if run.classification is not Classification.PUBLIC:
        return _("只有密级为“公开”的报告可以公开发布。")
    if run.status is not RunStatus.SUCCEEDED:
        return _("该报告尚未生成完成。")
    if run.report not in PERIODIC_REPORTS:
        return _("只有月度、季度和年度统计报告可以公开发布。")
    if run.organisation_id != owner_org_id:
        return _("只能公开本级人大常委会的报告。")
    return None


def create(*, actor, kind: PubKind, title: str, summary: str = "", body: str = "", topic: Topic | None = None,
           report_run: ReportRun | None = None, private_names: str = "") -> Publication:
    if not permissions.can_create(actor):
        raise NotAllowed(_("只有人大联络人员可以起草公开信息。"))
    owner = institution_of(actor.organisation)
    fields = _validate(kind, title, summary, body, topic, report_run, owner.id)
    pub = Publication(kind=kind, owner_org_id=owner.id, created_by_id=actor.id, state=PubState.DRAFT,
                      topic_id=topic.id if topic is not None and kind is not PubKind.PUBLIC_REPORT else None,
                      report_run_id=report_run.id if report_run is not None and kind is PubKind.PUBLIC_REPORT else None,
                      private_names=(private_names or "").strip(), **fields)
    db.session.add(pub)
    db.session.flush()
    audit.record("publication.create", actor=actor, obj=pub, summary={"title": pub.title, "kind": kind.value})
    return pub


def edit(pub: Publication, *, actor, title: str, summary: str, body: str, topic: Topic | None = None,
         report_run: ReportRun | None = None, private_names: str = "", expected_version: int | None = None) -> None:
    check(pub, PubAction.EDIT, actor, expected_version=expected_version)
    fields = _validate(pub.kind, title, summary, body, topic, report_run, pub.owner_org_id)
    for key, value in fields.items():
        setattr(pub, key, value)
    pub.topic_id = topic.id if topic is not None and pub.kind is not PubKind.PUBLIC_REPORT else None
    pub.report_run_id = report_run.id if report_run is not None and pub.kind is PubKind.PUBLIC_REPORT else None
    pub.private_names = (private_names or "").strip()
    _apply(pub, PubAction.EDIT, actor)


# --- review -----------------------------------------------------------------------------------------
def _freeze(pub: Publication) -> None:
    """Take the topic's public-safe snapshot (rectification status) now."""
    if pub.kind is PubKind.RECTIFICATION_STATUS and pub.topic_id is not None:
        topic = db.session.get(Topic, pub.topic_id)
        pub.snapshot = snapshot.dumps(snapshot.take(topic, private_names(pub)))


def submit(pub: Publication, *, actor, expected_version: int | None = None) -> None:
    """Send the draft to review; a rectification status shows the reviewer the snapshot it would publish."""
    check(pub, PubAction.SUBMIT, actor, expected_version=expected_version)
    _freeze(pub)
    pub.submitted_by_id, pub.review_note = actor.id, None
    _apply(pub, PubAction.SUBMIT, actor, {"hits": len(hits(pub))})


def send_back(pub: Publication, *, actor, reason: str, expected_version: int | None = None) -> None:
    check(pub, PubAction.SEND_BACK, actor, expected_version=expected_version)
    pub.review_note = _reason(reason)
    _apply(pub, PubAction.SEND_BACK, actor, {"reason": pub.review_note})


def publish(pub: Publication, *, actor, expected_version: int | None = None) -> None:
    """Publish: every redaction hit masked or justified, nothing above 公开, and not by the drafter."""
    check(pub, PubAction.PUBLISH, actor, expected_version=expected_version)
    if actor.id in (pub.created_by_id, pub.submitted_by_id):
        raise NotAllowed(_("起草人不能审核发布自己起草的公开信息。"))
    left = unresolved(pub)
    if left:
        raise ValidationFailed(_("还有 %(n)d 处敏感信息未处理（遮蔽或说明理由），不能发布。", n=len(left)))
    if pub.topic_id is not None:
        topic = db.session.get(Topic, pub.topic_id)
        if topic.classification is not Classification.PUBLIC:
            raise ValidationFailed(_("所涉监督议题的密级不是“公开”，不能发布。"))
    if pub.kind is PubKind.PUBLIC_REPORT:
        run = db.session.get(ReportRun, pub.report_run_id) if pub.report_run_id else None
        problem = _("请选择要公开的报告。") if run is None else report_problem(run, pub.owner_org_id)
        if problem:
            raise ValidationFailed(problem)
    _freeze(pub)  # the figures as they stand at publication, frozen from now on
    pub.published_at, pub.reviewed_by_id = utcnow(), actor.id
    _apply(pub, PubAction.PUBLISH, actor)


def withdraw(pub: Publication, *, actor, reason: str, expected_version: int | None = None) -> None:
    """Take a publication off the portal. Its page stays and says it was withdrawn (with the reason, masked)."""
    check(pub, PubAction.WITHDRAW, actor, expected_version=expected_version)
    pub.withdrawn_reason = redaction.mask_all(_reason(reason), private_names(pub))
    pub.withdrawn_at = utcnow()
    _apply(pub, PubAction.WITHDRAW, actor, {"reason": pub.withdrawn_reason})
