"""Reports: cached dashboard figures per (scope, period, section, language), shared by all workers.

Revision ID: 4b7e2c9d1a63
Revises: eb2b697ef988
Create Date: 2026-11-30 05:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

import oversight.db


# revision identifiers, used by Alembic.
revision = '4b7e2c9d1a63'
down_revision = 'eb2b697ef988'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_key', sa.String(length=80), nullable=False),
    sa.Column('period_kind', sa.String(length=10), nullable=False),
    sa.Column('period_key', sa.String(length=10), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('computed_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('requested_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('compute_ms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_figures')),
    sa.UniqueConstraint('scope_key', 'period_kind', 'period_key', 'section', 'locale',
                        name='uq_report_figures_key')
    )
    op.create_index('ix_report_figures_requested', 'report_figures', ['requested_at'], unique=False)


def downgrade():
    op.drop_index('ix_report_figures_requested', table_name='report_figures')
    op.drop_table('report_figures')
