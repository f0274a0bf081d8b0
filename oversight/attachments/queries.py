from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..db import db
from . import permissions
from .models import Attachment


def for_owner(user, owner_type: str, owner_id: int) -> list[Attachment]:
    """The attachments of one record that `user` may see, oldest first, with their uploaders."""
    rows = db.session.scalars(
        sa.select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
        .options(selectinload(Attachment.uploaded_by)).order_by(Attachment.id))
    return [a for a in rows if permissions.can_download(user, a)]
