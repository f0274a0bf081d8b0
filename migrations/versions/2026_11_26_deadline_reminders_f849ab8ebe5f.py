"""Deadline reminders: the due dates the daily sweep has already sent 临期 / 逾期 reminders for.

One reminder per (referral, due date); kept on the referral so that a restarted scheduler or a
second run on the same day sends nothing twice. Existing rows start with none sent.

Revision ID: f849ab8ebe5f
Revises: 74e9c817edb9
Create Date: 2026-11-26 20:40:52.190754

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f849ab8ebe5f'
down_revision = '74e9c817edb9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_soon_notified_for', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('overdue_notified_for', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('overdue_notified_for')
        batch_op.drop_column('due_soon_notified_for')
