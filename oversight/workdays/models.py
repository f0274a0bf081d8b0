from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utcnow


class CalendarDay(db.Model):
    """An administrator's ruling on one date: a holiday, or a weekend day worked (调休上班)."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    working: Mapped[bool] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CalendarNotice(db.Model):
    """A year whose official holiday notice has been entered: its CalendarDay rows are complete,
    and they replace both the library and the statutory estimate for that year."""

    __tablename__ = "calendar_notices"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(sa.String(200))     # 国务院办公厅关于YYYY年部分节假日安排的通知
    published_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
