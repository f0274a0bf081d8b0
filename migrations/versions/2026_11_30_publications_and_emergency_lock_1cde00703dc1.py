"""Public disclosure (issue 8): publications with their redaction justifications, and the emergency lock
(熔断) row. Enum columns carry CHECK constraints; state rules are CHECK constraints too (a withdrawn
publication has its reason, a published rectification status its frozen snapshot).

Revision ID: 1cde00703dc1
Revises: 9d3e5f1a2b7c
Create Date: 2026-11-30 04:48:36.850432

"""
from alembic import op
import sqlalchemy as sa

import oversight.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '1cde00703dc1'
down_revision = '9d3e5f1a2b7c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('emergency_lock',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('changed_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("NOT active OR notice <> ''", name=op.f('ck_emergency_lock_active_has_notice')),
    sa.CheckConstraint('id = 1', name=op.f('ck_emergency_lock_single_row')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_emergency_lock_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_lock'))
    )
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('key_topic', 'rectification_status', 'typical_case', 'public_report', name='publication_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'in_review', 'published', 'withdrawn', name='publication_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('published_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('report_run_id', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.Column('private_names', sa.Text(), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind <> 'public_report' OR state NOT IN ('published', 'withdrawn') OR report_run_id IS NOT NULL", name=op.f('ck_publications_report_has_run')),
    sa.CheckConstraint("kind <> 'rectification_status' OR state NOT IN ('published', 'withdrawn') OR snapshot IS NOT NULL", name=op.f('ck_publications_rectification_has_snapshot')),
    sa.CheckConstraint("state <> 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawn_reason IS NOT NULL)", name=op.f('ck_publications_withdrawn_has_reason')),
    sa.CheckConstraint("state NOT IN ('published', 'withdrawn') OR published_at IS NOT NULL", name=op.f('ck_publications_published_has_time')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_publications_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], name=op.f('fk_publications_owner_org_id_organisations')),
    sa.ForeignKeyConstraint(['report_run_id'], ['report_runs.id'], name=op.f('fk_publications_report_run_id_report_runs')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_publications_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_publications_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_publications_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index('ix_publications_kind_public', ['kind', 'state', 'published_at', 'id'], unique=False)
        batch_op.create_index('ix_publications_owner_state', ['owner_org_id', 'state', 'id'], unique=False)
        batch_op.create_index('ix_publications_public', ['state', 'published_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_topic_id'), ['topic_id'], unique=False)

    op.create_table('publication_redaction_justifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', oversight.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_publication_redaction_justifications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_redaction_justifications_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_redaction_justifications')),
    sa.UniqueConstraint('publication_id', 'kind', 'value', name='uq_pub_justification_value')
    )


def downgrade():
    op.drop_table('publication_redaction_justifications')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_topic_id'))
        batch_op.drop_index('ix_publications_public')
        batch_op.drop_index('ix_publications_owner_state')
        batch_op.drop_index('ix_publications_kind_public')

    op.drop_table('publications')
    op.drop_table('emergency_lock')
