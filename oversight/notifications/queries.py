from __future__ import annotations

import sqlalchemy as sa

from ..db import db
from .models import Notification


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def inbox(user_id: int, *, before_id: int | None = None, limit: int = 50) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.user_id == user_id)
    if before_id:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))
