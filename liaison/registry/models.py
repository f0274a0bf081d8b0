from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation


class ContactRole(enum.StrEnum):
    PRIMARY = "primary"   # 主要联络人
    DEPUTY = "deputy"     # 副联络人（备用联络人）


class LiaisonDesignation(db.Model):
    """One designation: `institution` names `person` (inside `body`) as its liaison for a period.

    Rows are never deleted or rewritten: a change ends the old row (valid_to) and adds a new one,
    so the rows of an institution are its history. Contact details are classified 内部.
    """

    __tablename__ = "liaison_designations"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_ordered"),
        sa.Index("ix_liaison_designations_current", "institution_id", "valid_to", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))      # 联络机构
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    contact_role: Mapped[ContactRole] = mapped_column(enum_column(ContactRole))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    valid_from: Mapped[dt.date] = mapped_column(sa.Date)
    valid_to: Mapped[dt.date | None] = mapped_column(sa.Date)                   # last day, inclusive
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    institution: Mapped[Organisation] = relationship(foreign_keys=[institution_id], lazy="joined")
    body: Mapped[Organisation] = relationship(foreign_keys=[body_id], lazy="joined")
    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    __mapper_args__ = {"version_id_col": version}

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
