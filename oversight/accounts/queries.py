from __future__ import annotations

import sqlalchemy as sa

from ..db import db
from ..orgs.models import Organisation
from .models import Role, User, UserRole


def user_for_session(session_id: str) -> User | None:
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def list_users(*, q: str = "", role: Role | None = None, organisation_id: int | None = None,
               after: str | None = None, limit: int = 50) -> list[User]:
    """Users by username, keyset-paginated (`after` = last username of the previous page)."""
    stmt = sa.select(User).join(Organisation, User.organisation_id == Organisation.id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(User.username.ilike(like), User.display_name.ilike(like)))
    if role:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if organisation_id:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if after:
        stmt = stmt.where(User.username > after)
    return list(db.session.scalars(stmt.order_by(User.username).limit(limit)))


def get_by_username(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
