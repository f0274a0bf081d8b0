"""Supervision models as data (name, purpose, legal basis, parameters, schedule, enabled), their runs
(one per model and period) and the alerts their hits raise (one per model and evidence key)."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, db, enum_column, utcnow
from ..orgs.models import Organisation
from .workflow import AlertState, Severity


class RunStatus(enum.StrEnum):
    RUNNING = "running"        # 运行中
    SUCCEEDED = "succeeded"    # 已完成
    FAILED = "failed"          # 失败


class SupervisionModel(db.Model):
    """One model: the registered function `function` with this deployment's parameters and schedule.

    An imported model stays disabled until an administrator has reviewed it and switched it on."""

    __tablename__ = "supervision_models"
    __table_args__ = (
        sa.CheckConstraint("NOT enabled OR reviewed", name="enabled_is_reviewed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60), unique=True)
    function: Mapped[str] = mapped_column(sa.String(60))      # a key of registry.FUNCTIONS
    name: Mapped[str] = mapped_column(sa.String(100))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    cron: Mapped[str] = mapped_column(sa.String(100))
    enabled: Mapped[bool] = mapped_column(default=False)
    reviewed: Mapped[bool] = mapped_column(default=True)     # False after an import, until an admin saves it
    origin: Mapped[str] = mapped_column(sa.String(100), default="")   # "" built here; else the package's origin
    code_version: Mapped[str] = mapped_column(sa.String(20), default="1")
    # Cron fires up to this instant have been run.
    checked_until: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ModelRun(db.Model):
    """One run of one model over one period. The unique key makes a second scheduler, or a retry, find
    this row instead of running the model twice."""

    __tablename__ = "supervision_runs"
    __table_args__ = (
        sa.UniqueConstraint("model_id", "period_key", name="uq_supervision_runs_model_period"),
        sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name="failed_has_error"),
        sa.Index("ix_supervision_runs_started", "started_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_models.id"))
    period_key: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, name="supervision_run_status"),
                                              default=RunStatus.RUNNING)
    trigger: Mapped[str] = mapped_column(sa.String(20), default="schedule")   # schedule / manual / cli
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)   # as they were for this run
    attempts: Mapped[int] = mapped_column(default=1)
    hits: Mapped[int] = mapped_column(default=0)
    new_alerts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[float | None] = mapped_column(sa.Float)

    model: Mapped[SupervisionModel] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship()


class Alert(db.Model):
    """A model's warning (预警) with its evidence: linked records as [{kind, id, label}].

    `fingerprint` (model + the hit's evidence key) is unique per model, so a later run that finds the same
    thing updates this alert instead of raising a second one."""

    __tablename__ = "supervision_alerts"
    __table_args__ = (
        sa.UniqueConstraint("model_id", "fingerprint", name="uq_supervision_alerts_model_fingerprint"),
        sa.CheckConstraint("state <> 'dismissed' OR dismiss_reason IS NOT NULL", name="dismissed_has_reason"),
        sa.CheckConstraint("state <> 'converted' OR topic_id IS NOT NULL", name="converted_has_topic"),
        sa.Index("ix_supervision_alerts_state", "state", "id"),
        sa.Index("ix_supervision_alerts_model_state", "model_id", "state", "id"),
        sa.Index("ix_supervision_alerts_scope_state", "scope_org_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_models.id"))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    evidence_key: Mapped[str] = mapped_column(sa.String(200))
    # The NPC standing committee responsible for the evidence (see builtins/_common.py): its staff act on
    # the alert, committees above it see it. NULL only for alerts raised before alerts were scoped.
    scope_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, name="alert_severity"), default=Severity.MEDIUM)
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    state: Mapped[AlertState] = mapped_column(enum_column(AlertState), default=AlertState.NEW)
    dismiss_reason: Mapped[str | None] = mapped_column(sa.Text)
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topics.id"))
    first_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supervision_runs.id"))
    seen_count: Mapped[int] = mapped_column(default=1)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    model: Mapped[SupervisionModel] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship()
    scope_org: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
