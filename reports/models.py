"""Report schedules (cron + recipients), report runs (one per report and period) and deliveries."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from oversight.accounts.models import User
from oversight.db import UTCDateTime, db, enum_column, utcnow
from oversight.orgs.models import Organisation
from oversight.referrals.models import Classification


class RunStatus(enum.StrEnum):
    QUEUED = "queued"          # 排队中
    RUNNING = "running"        # 生成中
    SUCCEEDED = "succeeded"    # 已完成
    FAILED = "failed"          # 失败


class ReportSchedule(db.Model):
    """When a report is produced (a cron expression in Asia/Shanghai) and who receives it."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(sa.String(40), unique=True)
    cron: Mapped[str] = mapped_column(sa.String(100))
    classification: Mapped[Classification] = mapped_column(enum_column(Classification),
                                                           default=Classification.INTERNAL)
    active: Mapped[bool] = mapped_column(default=True)
    # Whose work the report covers (an institution and its subtree). NULL only on rows from before the
    # scope existed: such a schedule queues nothing until it is saved again with an organisation.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    # Fires of the cron expression up to this instant have been turned into runs.
    checked_until: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    recipients: Mapped[list[User]] = relationship(secondary="report_recipients", order_by="User.display_name")
    organisation: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ReportRecipient(db.Model):
    __tablename__ = "report_recipients"

    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("report_schedules.id", ondelete="CASCADE"),
                                             primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)


class ReportRun(db.Model):
    """One report for one period of one institution. The unique key makes a second scheduler's attempt, or a retry after
    a crash, find this row instead of producing a second report."""

    __tablename__ = "report_runs"
    __table_args__ = (
        sa.UniqueConstraint("report", "period_key", "organisation_id", name="uq_report_runs_report_period_org"),
        sa.CheckConstraint("status <> 'succeeded' OR (finished_at IS NOT NULL AND pdf IS NOT NULL)",
                           name="succeeded_has_output"),
        sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
        sa.Index("ix_report_runs_status", "status", "lease_until"),
        sa.Index("ix_report_runs_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report: Mapped[str] = mapped_column(sa.String(40))
    period_key: Mapped[str] = mapped_column(sa.String(20))
    # The institution whose subtree the report covers. NULL only on runs from before the scope existed:
    # nobody may open those in the archive.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus), default=RunStatus.QUEUED)
    classification: Mapped[Classification] = mapped_column(enum_column(Classification),
                                                           default=Classification.INTERNAL)
    trigger: Mapped[str] = mapped_column(sa.String(20), default="schedule")   # schedule / manual
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    claim: Mapped[str | None] = mapped_column(sa.String(40))          # token of the worker that holds it
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # a holder silent past this crashed
    progress: Mapped[str] = mapped_column(sa.String(100), default="")
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    xlsx: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    pdf_size: Mapped[int | None] = mapped_column()
    xlsx_size: Mapped[int | None] = mapped_column()

    requested_by: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    deliveries: Mapped[list[ReportDelivery]] = relationship(back_populates="run", order_by="ReportDelivery.id")


class ReportDelivery(db.Model):
    """Who received a produced report (in-app; by e-mail too when SMTP is set)."""

    __tablename__ = "report_deliveries"
    __table_args__ = (sa.UniqueConstraint("run_id", "user_id", name="uq_report_deliveries_run_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("report_runs.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    delivered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    emailed: Mapped[bool] = mapped_column(default=False)

    run: Mapped[ReportRun] = relationship(back_populates="deliveries")
    user: Mapped[User] = relationship()


class CachedFigures(db.Model):
    """One statistics section, computed for a (scope, period, language) and kept for the dashboards.

    Shared by every web worker through the database: a figure one worker computed is what all of them
    show, and `computed_at` ("数据更新于") is the same everywhere. Refreshed by the `reports.figures`
    job and on demand; a row older than REPORTS_FIGURES_MAX_AGE is recomputed when next requested.
    """

    __tablename__ = "report_figures"
    __table_args__ = (
        sa.UniqueConstraint("scope_key", "period_kind", "period_key", "section", "locale",
                            name="uq_report_figures_key"),
        sa.Index("ix_report_figures_requested", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(sa.String(80))
    period_kind: Mapped[str] = mapped_column(sa.String(10))
    period_key: Mapped[str] = mapped_column(sa.String(10))
    section: Mapped[str] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(10))
    payload: Mapped[str] = mapped_column(sa.Text)        # the section's tables and charts as JSON
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    compute_ms: Mapped[int] = mapped_column(default=0)
