"""Reports: schedules (cron + recipients), runs keyed by (report, period), deliveries.

A run row is unique per (report, period_key): two schedulers, or a retry after a crash, find the
row instead of producing a second report. The PDF and XLSX are kept in the row for the archive.

Revision ID: c1024bd2d669
Revises: 6dffb63b5597
Create Date: 2026-11-30 02:13:25.412777

"""
from alembic import op
import sqlalchemy as sa

import oversight.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'c1024bd2d669'
down_revision = '6dffb63b5597'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report', sa.String(length=40), nullable=False),
    sa.Column('cron', sa.String(length=100), nullable=False),
    sa.Column('classification', sa.Enum('public', 'internal', 'sensitive', name='classification', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('checked_until', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedules')),
    sa.UniqueConstraint('report', name=op.f('uq_report_schedules_report'))
    )
    op.create_table('report_recipients',
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['report_schedules.id'], name=op.f('fk_report_recipients_schedule_id_report_schedules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_recipients_user_id_users')),
    sa.PrimaryKeyConstraint('schedule_id', 'user_id', name=op.f('pk_report_recipients'))
    )
    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report', sa.String(length=40), nullable=False),
    sa.Column('period_key', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'succeeded', 'failed', name='runstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('classification', sa.Enum('public', 'internal', 'sensitive', name='classification', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claim', sa.String(length=40), nullable=True),
    sa.Column('lease_until', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('progress', sa.String(length=100), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('started_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('finished_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('xlsx', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.Column('xlsx_size', sa.Integer(), nullable=True),
    sa.CheckConstraint("status <> 'failed' OR error IS NOT NULL", name=op.f('ck_report_runs_failed_has_error')),
    sa.CheckConstraint("status <> 'succeeded' OR (finished_at IS NOT NULL AND pdf IS NOT NULL)", name=op.f('ck_report_runs_succeeded_has_output')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_report_runs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs')),
    sa.UniqueConstraint('report', 'period_key', name='uq_report_runs_report_period')
    )
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.create_index('ix_report_runs_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_report_runs_status', ['status', 'lease_until'], unique=False)

    op.create_table('report_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('emailed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['report_runs.id'], name=op.f('fk_report_deliveries_run_id_report_runs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_deliveries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_deliveries')),
    sa.UniqueConstraint('run_id', 'user_id', name='uq_report_deliveries_run_user')
    )
    with op.batch_alter_table('report_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_deliveries_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_deliveries_user_id'))

    op.drop_table('report_deliveries')
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_report_runs_status')
        batch_op.drop_index('ix_report_runs_created')

    op.drop_table('report_runs')
    op.drop_table('report_recipients')
    op.drop_table('report_schedules')
