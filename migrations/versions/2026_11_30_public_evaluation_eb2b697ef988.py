"""Public evaluation (issue 8, item 5): campaigns over published publications, their items, one-time
invitations (SHA-256 of the token only), the ratings, and wrong-token attempts per address.

Chained after the publications migration (1cde00703dc1): the items refer to publications.

Revision ID: eb2b697ef988
Revises: 2186f5ed7a6e
Create Date: 2026-11-30 04:49:55.186640

"""
from alembic import op
import sqlalchemy as sa

import oversight.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'eb2b697ef988'
down_revision = '2186f5ed7a6e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_token_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', oversight.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_token_failures'))
    )
    with op.batch_alter_table('evaluation_token_failures', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_token_failures_address', ['address', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_token_failures_at'), ['at'], unique=False)

    op.create_table('evaluation_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'published', 'cancelled', name='evaluation_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opens_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('closes_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('organiser_org_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('closed_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('results_published_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state <> 'cancelled' OR cancel_reason IS NOT NULL", name=op.f('ck_evaluation_campaigns_cancelled_has_reason')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_evaluation_campaigns_closes_after_opening')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_campaigns_created_by_id_users')),
    sa.ForeignKeyConstraint(['organiser_org_id'], ['organisations.id'], name=op.f('fk_evaluation_campaigns_organiser_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_campaigns'))
    )
    with op.batch_alter_table('evaluation_campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_campaigns_organiser', ['organiser_org_id', 'created_at'], unique=False)
        batch_op.create_index('ix_evaluation_campaigns_state_closes', ['state', 'closes_at'], unique=False)
        batch_op.create_index('ix_evaluation_campaigns_state_opens', ['state', 'opens_at'], unique=False)

    op.create_table('evaluation_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('invitee_name', sa.String(length=100), nullable=True),
    sa.Column('state', sa.Enum('unused', 'used', 'revoked', name='evaluation_invitation_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', oversight.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("state <> 'used' OR used_at IS NOT NULL", name=op.f('ck_evaluation_invitations_used_has_time')),
    sa.ForeignKeyConstraint(['campaign_id'], ['evaluation_campaigns.id'], name=op.f('fk_evaluation_invitations_campaign_id_evaluation_campaigns')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_invitations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_evaluation_invitations_token_hash'))
    )
    with op.batch_alter_table('evaluation_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_invitations_campaign', ['campaign_id', 'state'], unique=False)

    op.create_table('evaluation_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['evaluation_campaigns.id'], name=op.f('fk_evaluation_items_campaign_id_evaluation_campaigns')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_evaluation_items_publication_id_publications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_items')),
    sa.UniqueConstraint('campaign_id', 'publication_id', name='uq_evaluation_items_campaign_publication')
    )
    with op.batch_alter_table('evaluation_items', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_items_campaign', ['campaign_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_items_publication_id'), ['publication_id'], unique=False)

    op.create_table('evaluation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('satisfied', 'basically', 'dissatisfied', name='evaluation_rating', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['evaluation_invitations.id'], name=op.f('fk_evaluation_responses_invitation_id_evaluation_invitations')),
    sa.ForeignKeyConstraint(['item_id'], ['evaluation_items.id'], name=op.f('fk_evaluation_responses_item_id_evaluation_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_responses')),
    sa.UniqueConstraint('invitation_id', 'item_id', name='uq_evaluation_responses_invitation_item')
    )
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_responses_item', ['item_id', 'rating'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_responses_item')

    op.drop_table('evaluation_responses')
    with op.batch_alter_table('evaluation_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_items_publication_id'))
        batch_op.drop_index('ix_evaluation_items_campaign')

    op.drop_table('evaluation_items')
    with op.batch_alter_table('evaluation_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_invitations_campaign')

    op.drop_table('evaluation_invitations')
    with op.batch_alter_table('evaluation_campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_campaigns_state_opens')
        batch_op.drop_index('ix_evaluation_campaigns_state_closes')
        batch_op.drop_index('ix_evaluation_campaigns_organiser')

    op.drop_table('evaluation_campaigns')
    with op.batch_alter_table('evaluation_token_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_token_failures_at'))
        batch_op.drop_index('ix_evaluation_token_failures_address')

    op.drop_table('evaluation_token_failures')
