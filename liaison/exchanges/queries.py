"""Read-only queries on exchange activities."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from oversight.db import db
from oversight.orgs.queries import in_scope
from ..permissions import is_staff
from .models import ExchangeActivity, ExchangeParticipant


def visible(user) -> sa.ColumnElement[bool]:
    invited = ExchangeActivity.id.in_(sa.select(ExchangeParticipant.activity_id).where(ExchangeParticipant.user_id == user.id))
    if not is_staff(user):
        return invited
    return sa.or_(invited, in_scope(ExchangeActivity.organiser_org_id, ExchangeActivity.partner_org_id, user=user))


def between(user, start: dt.datetime, end: dt.datetime) -> list[ExchangeActivity]:
    stmt = sa.select(ExchangeActivity).where(visible(user), ExchangeActivity.starts_at < end,
                                             ExchangeActivity.ends_at > start)
    return list(db.session.scalars(stmt.order_by(ExchangeActivity.starts_at, ExchangeActivity.id)))


def can_view(user, activity: ExchangeActivity) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeActivity)
                             .where(ExchangeActivity.id == activity.id, visible(user))) > 0


def research_projects(user, limit: int = 200) -> list[ExchangeActivity]:
    """Joint research projects `user` may see, newest first, milestones loaded with them."""
    from sqlalchemy.orm import selectinload

    from .models import ExchangeKind

    stmt = (sa.select(ExchangeActivity).where(visible(user), ExchangeActivity.kind == ExchangeKind.JOINT_RESEARCH)
            .options(selectinload(ExchangeActivity.milestones), selectinload(ExchangeActivity.participants))
            .order_by(ExchangeActivity.starts_at.desc(), ExchangeActivity.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))
