from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, db, utcnow


class Attachment(db.Model):
    """A file attached to a record (`owner_type`, `owner_id`); the bytes live in the file store."""

    __tablename__ = "attachments"
    __table_args__ = (sa.Index("ix_attachments_owner", "owner_type", "owner_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(sa.String(40))
    owner_id: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(10))         # pdf, ofd, docx, xlsx, jpg, png
    filename: Mapped[str] = mapped_column(sa.String(200))    # as uploaded, for the download name
    side: Mapped[str] = mapped_column(sa.String(20))         # npc / procuratorate
    internal: Mapped[bool] = mapped_column(default=False)    # visible to the uploader's side only
    # None: uploaded by a member of the public (a clue's attachment, oversight/clues).
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
