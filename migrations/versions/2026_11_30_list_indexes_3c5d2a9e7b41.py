"""Indexes for the referral lists at 200k rows: walk (current_due, id) or (updated_at, id) in sort
order and stop at the page's end, instead of sorting every visible row (see referrals/pages.py).

Revision ID: 3c5d2a9e7b41
Revises: f849ab8ebe5f
Create Date: 2026-11-30 02:30:00

"""
from alembic import op

revision = '3c5d2a9e7b41'
down_revision = 'f849ab8ebe5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_due_id', ['current_due', 'id'], unique=False)
        batch_op.create_index('ix_referrals_updated_id', ['updated_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_updated_id')
        batch_op.drop_index('ix_referrals_due_id')
