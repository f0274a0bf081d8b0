"""Clues (线索征集端口): clues, the rate-limit log, used challenge tokens; attachments may come
from the public (uploaded_by_id nullable).

Revision ID: 2186f5ed7a6e
Revises: 1cde00703dc1
Create Date: 2026-11-30 04:55:00.000000

"""
from alembic import op
import sqlalchemy as sa

import oversight.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '2186f5ed7a6e'
down_revision = '1cde00703dc1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_code', sa.String(length=24), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=False),
    sa.Column('source', sa.Enum('public', 'station', 'deputy', name='cluesource', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('station_org_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_email', sa.String(length=120), nullable=True),
    sa.Column('state', sa.Enum('received', 'converted', 'merged', 'declined', name='cluestate', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('receiving_org_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state <> 'declined' OR decline_reason IS NOT NULL", name=op.f('ck_clues_declined_has_reason')),
    sa.CheckConstraint("state <> 'merged' OR duplicate_of_id IS NOT NULL", name=op.f('ck_clues_merged_has_target')),
    sa.CheckConstraint("state <> 'converted' OR referral_id IS NOT NULL", name=op.f('ck_clues_converted_has_referral')),
    sa.CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name=op.f('ck_clues_not_own_duplicate')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['clues.id'], name=op.f('fk_clues_duplicate_of_id_clues')),
    sa.ForeignKeyConstraint(['receiving_org_id'], ['organisations.id'], name=op.f('fk_clues_receiving_org_id_organisations')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_clues_referral_id_referrals')),
    sa.ForeignKeyConstraint(['station_org_id'], ['organisations.id'], name=op.f('fk_clues_station_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clues')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_clues_tracking_code'))
    )
    with op.batch_alter_table('clues', schema=None) as batch_op:
        batch_op.create_index('ix_clues_category_created', ['category', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_clues_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_clues_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index('ix_clues_receiver_created', ['receiving_org_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_clues_receiver_state_created', ['receiving_org_id', 'state', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clues_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clues_station_org_id'), ['station_org_id'], unique=False)

    op.create_table('clue_rate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clue_rate_events'))
    )
    with op.batch_alter_table('clue_rate_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clue_rate_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_clue_rate_events_lookup', ['scope', 'client_key', 'created_at'], unique=False)

    op.create_table('clue_used_challenges',
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('expires_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', oversight.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_clue_used_challenges'))
    )
    with op.batch_alter_table('clue_used_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clue_used_challenges_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM attachments WHERE uploaded_by_id IS NULL")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.alter_column('uploaded_by_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('clue_used_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clue_used_challenges_expires_at'))
    op.drop_table('clue_used_challenges')
    with op.batch_alter_table('clue_rate_events', schema=None) as batch_op:
        batch_op.drop_index('ix_clue_rate_events_lookup')
        batch_op.drop_index(batch_op.f('ix_clue_rate_events_created_at'))
    op.drop_table('clue_rate_events')
    with op.batch_alter_table('clues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clues_station_org_id'))
        batch_op.drop_index(batch_op.f('ix_clues_referral_id'))
        batch_op.drop_index('ix_clues_receiver_state_created')
        batch_op.drop_index('ix_clues_receiver_created')
        batch_op.drop_index(batch_op.f('ix_clues_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_clues_created_at'))
        batch_op.drop_index('ix_clues_category_created')
    op.drop_table('clues')
