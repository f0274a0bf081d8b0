"""Alerts scoped by organisation: the NPC standing committee responsible for an alert's evidence.
Nullable only for alerts raised before scoping (those stay visible to system administrators alone).

Revision ID: 057b86f8103f
Revises: 4b8e2f6a1c93
Create Date: 2026-11-30 06:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '057b86f8103f'
down_revision = '4b8e2f6a1c93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('supervision_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_org_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_supervision_alerts_scope_org_id_organisations'),
                                    'organisations', ['scope_org_id'], ['id'])
        batch_op.create_index('ix_supervision_alerts_scope_state', ['scope_org_id', 'state', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('supervision_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_alerts_scope_state')
        batch_op.drop_constraint(batch_op.f('fk_supervision_alerts_scope_org_id_organisations'), type_='foreignkey')
        batch_op.drop_column('scope_org_id')
