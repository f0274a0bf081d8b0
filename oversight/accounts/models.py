from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, enum_column, utcnow
from ..orgs.models import Organisation, Side


class Role(enum.StrEnum):
    NPC_STAFF = "npc_staff"                    # 人大联络人员
    NPC_REVIEWER = "npc_reviewer"              # 人大审核人
    PROCURATORATE_CONTACT = "procuratorate_contact"  # 检察联络人
    PROCURATORATE_HANDLER = "procuratorate_handler"  # 承办人
    DEPUTY = "deputy"                          # 人大代表
    PUBLIC_EVALUATOR = "public_evaluator"      # 群众评议代表
    SYSTEM_ADMIN = "system_admin"              # 系统管理员
    SECURITY_ADMIN = "security_admin"          # 安全保密管理员
    AUDITOR = "auditor"                        # 安全审计员

    @property
    def side(self) -> Side | None:
        """The side whose organisations may hold this role; None for roles tied to no side."""
        return ROLE_SIDE.get(self)


ROLE_SIDE = {
    Role.NPC_STAFF: Side.NPC,
    Role.NPC_REVIEWER: Side.NPC,
    Role.DEPUTY: Side.NPC,
    Role.PROCURATORATE_CONTACT: Side.PROCURATORATE,
    Role.PROCURATORATE_HANDLER: Side.PROCURATORATE,
}

# 三员分立: no account holds two of these.
SEPARATED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(60))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(sa.String(10), default="")
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped when the password changes or an admin signs the user out: old sessions stop working.
    session_token: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    deputy_profile: Mapped[DeputyProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="DeputyProfile.user_id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def side(self) -> Side:
        return self.organisation.side

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in or stay logged in
        return self.active

    def get_id(self) -> str:
        # The session token makes a password change or forced sign-out end every old session.
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class DeputyProfile(db.Model):
    """人大代表 — the deputy's delegation, term and liaison station."""

    __tablename__ = "deputy_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    delegation: Mapped[str] = mapped_column(sa.String(80))      # 代表团
    term: Mapped[str] = mapped_column(sa.String(40))            # 届别，如"第六届"
    liaison_station_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )

    user: Mapped[User] = relationship(back_populates="deputy_profile", foreign_keys=[user_id])
    liaison_station: Mapped[Organisation | None] = relationship(foreign_keys=[liaison_station_id])


def _role_labels():
    from flask_babel import lazy_gettext as _l

    return {
        Role.NPC_STAFF: _l("人大联络人员"),
        Role.NPC_REVIEWER: _l("人大审核人"),
        Role.PROCURATORATE_CONTACT: _l("检察联络人"),
        Role.PROCURATORATE_HANDLER: _l("承办人"),
        Role.DEPUTY: _l("人大代表"),
        Role.PUBLIC_EVALUATOR: _l("群众评议代表"),
        Role.SYSTEM_ADMIN: _l("系统管理员"),
        Role.SECURITY_ADMIN: _l("安全保密管理员"),
        Role.AUDITOR: _l("安全审计员"),
    }


Role.label = property(lambda self: _role_labels()[self])
