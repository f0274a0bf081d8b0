"""Supervision models, their runs (one per model and period) and alerts (one per model and fingerprint);
a topic source may name the alert it was opened from.

Revision ID: ff66df16c4d9
Revises: 4b7e2c9d1a63
Create Date: 2026-11-30 05:00:00

"""
from alembic import op
import sqlalchemy as sa

import oversight.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'ff66df16c4d9'
down_revision = '4b7e2c9d1a63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('function', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('cron', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.Column('code_version', sa.String(length=20), nullable=False),
    sa.Column('checked_until', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('NOT enabled OR reviewed', name=op.f('ck_supervision_models_enabled_is_reviewed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_models')),
    sa.UniqueConstraint('key', name=op.f('uq_supervision_models_key'))
    )
    op.create_table('supervision_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('running', 'succeeded', 'failed', name='supervision_run_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('new_alerts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name=op.f('ck_supervision_runs_failed_has_error')),
    sa.ForeignKeyConstraint(['model_id'], ['supervision_models.id'], name=op.f('fk_supervision_runs_model_id_supervision_models')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_supervision_runs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_runs')),
    sa.UniqueConstraint('model_id', 'period_key', name='uq_supervision_runs_model_period')
    )
    with op.batch_alter_table('supervision_runs', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_runs_started', ['started_at', 'id'], unique=False)

    op.create_table('supervision_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('evidence_key', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('severity', sa.Enum('low', 'medium', 'high', name='alert_severity', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('new', 'confirmed', 'converted', 'dismissed', name='alertstate', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('dismiss_reason', sa.Text(), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('first_run_id', sa.Integer(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('seen_count', sa.Integer(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state <> 'converted' OR topic_id IS NOT NULL", name=op.f('ck_supervision_alerts_converted_has_topic')),
    sa.CheckConstraint("state <> 'dismissed' OR dismiss_reason IS NOT NULL", name=op.f('ck_supervision_alerts_dismissed_has_reason')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_supervision_alerts_decided_by_id_users')),
    sa.ForeignKeyConstraint(['first_run_id'], ['supervision_runs.id'], name=op.f('fk_supervision_alerts_first_run_id_supervision_runs')),
    sa.ForeignKeyConstraint(['last_run_id'], ['supervision_runs.id'], name=op.f('fk_supervision_alerts_last_run_id_supervision_runs')),
    sa.ForeignKeyConstraint(['model_id'], ['supervision_models.id'], name=op.f('fk_supervision_alerts_model_id_supervision_models')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_supervision_alerts_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_alerts')),
    sa.UniqueConstraint('model_id', 'fingerprint', name='uq_supervision_alerts_model_fingerprint')
    )
    with op.batch_alter_table('supervision_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_alerts_model_state', ['model_id', 'state', 'id'], unique=False)
        batch_op.create_index('ix_supervision_alerts_state', ['state', 'id'], unique=False)

    with op.batch_alter_table('topic_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_topic_sources_alert_id'), ['alert_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_topic_sources_alert_id_supervision_alerts'), 'supervision_alerts', ['alert_id'], ['id'])


def downgrade():
    with op.batch_alter_table('topic_sources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_topic_sources_alert_id_supervision_alerts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_topic_sources_alert_id'))
        batch_op.drop_column('alert_id')
    with op.batch_alter_table('supervision_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_alerts_state')
        batch_op.drop_index('ix_supervision_alerts_model_state')
    op.drop_table('supervision_alerts')
    with op.batch_alter_table('supervision_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_runs_started')
    op.drop_table('supervision_runs')
    op.drop_table('supervision_models')
