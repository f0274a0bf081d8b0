"""Every change to a campaign, its invitations and its ratings. Each use case: check the workflow and
the actor (side, role, organisation) → change → audit → flush. Nothing here commits."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from oversight.audit import services as audit
from oversight.db import db, utcnow
from oversight.errors import Conflict, DomainError, InvalidTransition, NotAllowed, ValidationFailed
from oversight.orgs.models import OrgKind
from oversight.orgs.permissions import in_subtree, institution_of
from reports.publications.models import Publication
from . import permissions, tokens
from .labels import label
from .models import Campaign, CampaignItem, EvaluationInvitation, EvaluationResponse, EvaluationTokenFailure
from .workflow import TRANSITIONS, Action, InvitationState, Rating, State, next_state

MAX_TITLE, MAX_TEXT, MAX_COMMENT, MAX_LABEL = 200, 5000, 500, 100
MAX_ITEMS, MAX_BATCH = 30, 500
# Wrong tokens tried from one address: at most this many in the window, then refused for a while.
MAX_FAILURES, FAILURE_WINDOW = 10, dt.timedelta(minutes=15)
PUBLISHED = "published"


# --- refusals the public sees (same text for anything that is not a live invitation) ---------------

class TokenRefused(DomainError):
    status = 404


class TokenUsed(DomainError):
    status = 409


class CampaignNotOpen(DomainError):
    status = 410


class TooManyAttempts(DomainError):
    status = 429


def unknown_token_message() -> str:
    return _("评议码无效：请核对邀请函上的链接或评议码。")


# --- staff side ------------------------------------------------------------------------------------

def check(campaign: Campaign, action: Action, actor, *, expected_version: int | None = None) -> None:
    """Raise unless `actor` (None: the scheduler) may take `action` on `campaign` now."""
    if expected_version is not None and campaign.version != expected_version:
        raise Conflict(_("该评议已被他人修改，请刷新后重试。"))
    if (campaign.state, action) not in TRANSITIONS:
        raise InvalidTransition(_("评议当前处于“%(s)s”状态，不能执行“%(a)s”。", s=label(campaign.state), a=label(action)))
    if actor is not None and not permissions.can_act(actor, campaign, action):
        raise NotAllowed(_("只有组织评议的人大常委会的联络人员可以“%(a)s”。", a=label(action)))


def _validate(*, title: str, opens_at, closes_at, publications: list, organiser) -> dict[str, str]:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("请填写评议名称。")
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = _("评议名称不能超过 %(n)d 个字符。", n=MAX_TITLE)
    if opens_at is None:
        errors["opens_at"] = _("请填写开始时间。")
    if closes_at is None:
        errors["closes_at"] = _("请填写结束时间。")
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _("结束时间必须晚于开始时间。")
    elif closes_at <= utcnow():
        errors["closes_at"] = _("结束时间必须晚于现在。")
    if not publications:
        errors["items"] = _("请至少选择一项已公开的事项。")
    elif len(publications) > MAX_ITEMS:
        errors["items"] = _("一次评议最多 %(n)d 项。", n=MAX_ITEMS)
    elif any(p is None or p.state != PUBLISHED or not in_subtree(_owner(p), organiser) for p in publications):
        errors["items"] = _("只能评议本单位（含下级）已公开发布的事项。")
    return errors


def _owner(publication: Publication):
    from oversight.orgs.models import Organisation

    return db.session.get(Organisation, publication.owner_org_id)


def selectable_publications(organiser) -> list[Publication]:
    """Published items owned inside the organising institution's subtree, newest first."""
    rows = db.session.scalars(sa.select(Publication).where(Publication.state == PUBLISHED)
                              .order_by(Publication.published_at.desc(), Publication.id.desc()).limit(500))
    return [p for p in rows if in_subtree(_owner(p), organiser)]


def _publications(ids) -> list:
    seen, result = set(), []
    for pid in ids or ():
        if pid in seen:
            continue
        seen.add(pid)
        result.append(db.session.get(Publication, pid))
    return result


def create_campaign(*, actor, title: str, description: str = "", opens_at: dt.datetime, closes_at: dt.datetime,
                    publication_ids) -> Campaign:
    if not permissions.can_create(actor):
        raise NotAllowed(_("只有人大常委会的联络人员可以组织群众评议。"))
    organiser = institution_of(actor.organisation)
    if organiser.kind is not OrgKind.NPC_COMMITTEE:
        raise NotAllowed(_("只有人大常委会的联络人员可以组织群众评议。"))
    publications = _publications(publication_ids)
    errors = _validate(title=title, opens_at=opens_at, closes_at=closes_at, publications=publications,
                       organiser=organiser)
    if errors:
        raise ValidationFailed(errors)
    campaign = Campaign(title=title.strip(), description=(description or "").strip()[:MAX_TEXT], opens_at=opens_at,
                        closes_at=closes_at, organiser_org=organiser, created_by=actor, state=State.DRAFT)
    campaign.items = [CampaignItem(publication=p, position=i) for i, p in enumerate(publications, 1)]
    db.session.add(campaign)
    db.session.flush()
    audit.record("evaluation.campaign.create", actor=actor, obj=campaign, organisation_id=organiser.id, summary={
        "title": campaign.title, "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat(),
        "publications": [p.id for p in publications]})
    return campaign


def update_campaign(campaign: Campaign, *, actor, title: str, description: str = "", opens_at: dt.datetime,
                    closes_at: dt.datetime, publication_ids, expected_version: int | None = None) -> Campaign:
    check(campaign, Action.EDIT, actor, expected_version=expected_version)
    publications = _publications(publication_ids)
    errors = _validate(title=title, opens_at=opens_at, closes_at=closes_at, publications=publications,
                       organiser=campaign.organiser_org)
    if errors:
        raise ValidationFailed(errors)
    campaign.title, campaign.description = title.strip(), (description or "").strip()[:MAX_TEXT]
    campaign.opens_at, campaign.closes_at = opens_at, closes_at
    wanted = [p.id for p in publications]
    if [i.publication_id for i in campaign.items] != wanted:
        campaign.items.clear()
        db.session.flush()
        campaign.items.extend(CampaignItem(publication=p, position=i) for i, p in enumerate(publications, 1))
    db.session.flush()
    audit.record("evaluation.campaign.update", actor=actor, obj=campaign, organisation_id=campaign.organiser_org_id,
                 summary={"title": campaign.title, "opens_at": opens_at.isoformat(),
                          "closes_at": closes_at.isoformat(), "publications": wanted})
    return campaign


def _move(campaign: Campaign, action: Action, actor, summary: dict | None = None) -> None:
    before = campaign.state
    campaign.state = next_state(campaign.state, action)
    db.session.flush()
    audit.record(f"evaluation.campaign.{action.value}", actor=actor, obj=campaign,
                 organisation_id=campaign.organiser_org_id,
                 summary={"from": before.value, "to": campaign.state.value, **(summary or {})})


def open_campaign(campaign: Campaign, *, actor, expected_version: int | None = None, now=None) -> Campaign:
    check(campaign, Action.OPEN, actor, expected_version=expected_version)
    now = now or utcnow()
    if not campaign.items:
        raise ValidationFailed(_("评议没有评议事项，不能开始。"))
    if campaign.closes_at <= now:
        raise ValidationFailed(_("评议的结束时间已过，请先修改评议时间。"))
    campaign.opened_at = now
    _move(campaign, Action.OPEN, actor, {"by": "staff" if actor is not None else "schedule"})
    return campaign


def close_campaign(campaign: Campaign, *, actor, expected_version: int | None = None, now=None) -> Campaign:
    check(campaign, Action.CLOSE, actor, expected_version=expected_version)
    campaign.closed_at = now or utcnow()
    _move(campaign, Action.CLOSE, actor, {"by": "staff" if actor is not None else "schedule"})
    return campaign


def publish_results(campaign: Campaign, *, actor, expected_version: int | None = None) -> Campaign:
    check(campaign, Action.PUBLISH, actor, expected_version=expected_version)
    campaign.results_published_at = utcnow()
    _move(campaign, Action.PUBLISH, actor)
    return campaign


def cancel_campaign(campaign: Campaign, *, actor, reason: str, expected_version: int | None = None) -> Campaign:
    check(campaign, Action.CANCEL, actor, expected_version=expected_version)
    if not (reason or "").strip():
        raise ValidationFailed(_("请填写取消原因。"), field="reason")
    campaign.cancel_reason = reason.strip()[:MAX_TEXT]
    _move(campaign, Action.CANCEL, actor, {"reason": campaign.cancel_reason})
    for invitation in db.session.scalars(sa.select(EvaluationInvitation).where(EvaluationInvitation.campaign_id == campaign.id,
                                                                     EvaluationInvitation.state == InvitationState.UNUSED)):
        invitation.state, invitation.revoked_at = InvitationState.REVOKED, utcnow()
    db.session.flush()
    return campaign


@dataclass(frozen=True)
class Issued:
    """A freshly generated invitation with its token: the only moment the token exists in clear."""
    invitation: EvaluationInvitation
    token: str

    @property
    def code(self) -> str:
        return tokens.grouped(self.token)


def generate_invitations(campaign: Campaign, *, actor, count: int, labels: list[str] | None = None) -> list[Issued]:
    """`count` new invitations (labels, e.g. invitees' names, optional: kept 敏感, never public)."""
    check(campaign, Action.INVITE, actor)
    if not isinstance(count, int) or count < 1 or count > MAX_BATCH:
        raise ValidationFailed(_("一次可生成 1 至 %(n)d 个邀请码。", n=MAX_BATCH), field="count")
    labels = [(x or "").strip() for x in (labels or [])]
    if any(len(x) > MAX_LABEL for x in labels):
        raise ValidationFailed(_("备注每行不能超过 %(n)d 个字符。", n=MAX_LABEL), field="labels")
    last = db.session.scalar(sa.select(sa.func.max(EvaluationInvitation.number)).where(EvaluationInvitation.campaign_id == campaign.id)) or 0
    issued = []
    for n in range(count):
        token = tokens.new_token()
        text = labels[n] if n < len(labels) else ""
        invitation = EvaluationInvitation(campaign=campaign, token_hash=tokens.token_hash(token), number=last + n + 1,
                                label=text, invitee_name=text or None, created_by_id=actor.id if actor else None)
        db.session.add(invitation)
        issued.append(Issued(invitation, token))
    db.session.flush()
    audit.record("evaluation.invitations.generate", actor=actor, obj=campaign, organisation_id=campaign.organiser_org_id,
                 summary={"count": count, "numbers": [last + 1, last + count]})
    return issued


def revoke_invitation(invitation: EvaluationInvitation, *, actor) -> EvaluationInvitation:
    check(invitation.campaign, Action.REVOKE, actor)
    if invitation.state is not InvitationState.UNUSED:
        raise InvalidTransition(_("只能作废未使用的邀请码（第 %(n)d 号%(s)s）。", n=invitation.number,
                                  s=label(invitation.state)))
    invitation.state, invitation.revoked_at = InvitationState.REVOKED, utcnow()
    db.session.flush()
    audit.record("evaluation.invitation.revoke", actor=actor, obj=invitation,
                 organisation_id=invitation.campaign.organiser_org_id,
                 summary={"campaign": invitation.campaign_id, "number": invitation.number})
    return invitation


# --- the public side ---------------------------------------------------------------------------------

def too_many_failures(address: str, now=None) -> bool:
    now = now or utcnow()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationTokenFailure).where(
        EvaluationTokenFailure.address == address[:64], EvaluationTokenFailure.at > now - FAILURE_WINDOW))
    return count >= MAX_FAILURES


def record_failure(address: str) -> None:
    db.session.add(EvaluationTokenFailure(address=(address or "")[:64], at=utcnow()))
    db.session.flush()


def find_invitation(typed: str | None) -> EvaluationInvitation | None:
    token = tokens.normalise(typed)
    if token is None:
        return None
    return db.session.scalar(sa.select(EvaluationInvitation).where(EvaluationInvitation.token_hash == tokens.token_hash(token)))


def usable(invitation: EvaluationInvitation | None, now=None) -> EvaluationInvitation:
    """The invitation if it can rate now; else the refusal the public sees."""
    now = now or utcnow()
    if invitation is None or invitation.state is InvitationState.REVOKED:
        raise TokenRefused(unknown_token_message())
    campaign = invitation.campaign
    if campaign.state is State.CANCELLED:
        raise TokenRefused(unknown_token_message())
    if invitation.state is InvitationState.USED:
        raise TokenUsed(_("此评议码已经提交过评议，每个评议码只能使用一次。感谢您的参与！"))
    if campaign.state in (State.CLOSED, State.PUBLISHED) or (campaign.state is State.OPEN and campaign.closes_at <= now):
        raise CampaignNotOpen(_("本次评议“%(t)s”已经结束，不再接受评议。", t=campaign.title))
    if campaign.state is State.DRAFT:
        raise CampaignNotOpen(_("本次评议“%(t)s”尚未开始，请在评议开始后再来。", t=campaign.title))
    return invitation


def submit(invitation: EvaluationInvitation, *, ratings: dict[int, str | None], comments: dict[int, str] | None = None,
           now=None) -> list[EvaluationResponse]:
    """Rate every item of the campaign at once: all ratings are written, or none (ValidationFailed)."""
    now = now or utcnow()
    usable(invitation, now)
    comments = comments or {}
    errors, chosen = {}, {}
    for item in invitation.campaign.items:
        raw = ratings.get(item.id)
        try:
            chosen[item.id] = Rating(raw)
        except ValueError:
            errors[f"item-{item.id}"] = _("请为“%(t)s”选择满意、基本满意或不满意。", t=item.publication.title)
        if len(comments.get(item.id) or "") > MAX_COMMENT:
            errors[f"comment-{item.id}"] = _("对“%(t)s”的意见不能超过 %(n)d 个字。", t=item.publication.title, n=MAX_COMMENT)
    unknown = set(ratings) - {i.id for i in invitation.campaign.items}
    if unknown:
        errors[""] = _("提交的评议事项与本次评议不符，请重新打开评议页面。")
    if errors:
        raise ValidationFailed(errors)
    # Claim the invitation: one UPDATE that only succeeds while it is unused, so two submissions racing
    # with the same token cannot both pass (the loser sees it used).
    claimed = db.session.execute(
        sa.update(EvaluationInvitation).where(EvaluationInvitation.id == invitation.id, EvaluationInvitation.state == InvitationState.UNUSED)
        .values(state=InvitationState.USED, used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.expire(invitation)
        raise TokenUsed(_("此评议码已经提交过评议，每个评议码只能使用一次。感谢您的参与！"))
    rows = [EvaluationResponse(invitation_id=invitation.id, item_id=item_id, rating=rating,
                     comment=(comments.get(item_id) or "").strip(), created_at=now)
            for item_id, rating in chosen.items()]
    db.session.add_all(rows)
    db.session.flush()
    db.session.expire(invitation)
    audit.record("evaluation.submit", actor=None, actor_label="公众评议人", obj=invitation,
                 organisation_id=invitation.campaign.organiser_org_id,
                 summary={"campaign": invitation.campaign_id, "items": len(rows)})
    return rows
