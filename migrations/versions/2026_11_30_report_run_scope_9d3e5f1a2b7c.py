"""Reports: a run and a schedule cover one institution (organisation_id), not the whole deployment.

A run is now unique per (report, period_key, organisation_id). Existing rows keep NULL: an old run
cannot be opened in the archive, an old schedule queues nothing until it is saved with an
organisation.

Revision ID: 9d3e5f1a2b7c
Revises: 531589b1b27f
Create Date: 2026-11-30 03:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d3e5f1a2b7c'
down_revision = '531589b1b27f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_report_runs_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'])
        batch_op.drop_constraint('uq_report_runs_report_period', type_='unique')
        batch_op.create_unique_constraint('uq_report_runs_report_period_org',
                                          ['report', 'period_key', 'organisation_id'])

    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_report_schedules_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'])


def downgrade():
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_schedules_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_column('organisation_id')

    # Runs of several institutions for one (report, period) cannot all survive the old key.
    op.execute("DELETE FROM report_deliveries WHERE run_id IN (SELECT id FROM report_runs r WHERE EXISTS "
               "(SELECT 1 FROM report_runs o WHERE o.report = r.report AND o.period_key = r.period_key "
               "AND o.id < r.id))")
    op.execute("DELETE FROM report_runs WHERE EXISTS (SELECT 1 FROM report_runs o WHERE "
               "o.report = report_runs.report AND o.period_key = report_runs.period_key AND o.id < report_runs.id)")
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_constraint('uq_report_runs_report_period_org', type_='unique')
        batch_op.create_unique_constraint('uq_report_runs_report_period', ['report', 'period_key'])
        batch_op.drop_constraint(batch_op.f('fk_report_runs_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_column('organisation_id')
