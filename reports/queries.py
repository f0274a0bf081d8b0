"""Read-only lists of the report pages: runs, schedules, the archive, who received a report."""
from __future__ import annotations

import sqlalchemy as sa

from oversight.accounts.models import User
from oversight.db import db
from oversight.orgs.models import Organisation
from oversight.orgs.permissions import scope_root

from . import permissions
from .models import ReportDelivery, ReportRun, ReportSchedule, RunStatus


def recent_runs(limit: int = 100) -> list[ReportRun]:
    return list(db.session.scalars(sa.select(ReportRun).order_by(ReportRun.created_at.desc(), ReportRun.id.desc())
                                   .limit(limit)))


def schedules() -> dict[str, ReportSchedule]:
    return {s.report: s for s in db.session.scalars(sa.select(ReportSchedule))}


def schedule_of(report_key: str) -> ReportSchedule | None:
    return db.session.scalar(sa.select(ReportSchedule).where(ReportSchedule.report == report_key))


def active_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(User.display_name)))


def recipients_of(run: ReportRun) -> set[int]:
    return set(db.session.scalars(sa.select(ReportDelivery.user_id).where(ReportDelivery.run_id == run.id)))


def archive_for(user, limit: int = 200) -> list[ReportRun]:
    """Produced reports the user may download, newest period first."""
    delivered = sa.select(ReportDelivery.run_id).where(ReportDelivery.user_id == user.id)
    in_scope = sa.select(Organisation.id).where(Organisation.path.startswith(scope_root(user).path, autoescape=True))
    rows = db.session.scalars(sa.select(ReportRun).where(ReportRun.status == RunStatus.SUCCEEDED,
                                                         ReportRun.organisation_id.in_(in_scope))
                              .order_by(ReportRun.period_key.desc(), ReportRun.id.desc()).limit(limit))
    mine = set(db.session.scalars(delivered))
    return [r for r in rows if permissions.can_download(user, r, {user.id} if r.id in mine else set())]
