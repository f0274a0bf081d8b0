"""Liaison: agenda items link oversight topics and produced reports, an action item records the topic it
spawned, joint research projects have milestones.

Revision ID: 4b8e2f6a1c93
Revises: ff66df16c4d9
Create Date: 2026-11-30 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import oversight.db


# revision identifiers, used by Alembic.
revision = '4b8e2f6a1c93'
down_revision = 'ff66df16c4d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('liaison_agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('report_run_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_liaison_agenda_items_topic_id_topics'), 'topics', ['topic_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_liaison_agenda_items_report_run_id_report_runs'), 'report_runs',
                                    ['report_run_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_liaison_agenda_items_topic_id'), ['topic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_liaison_agenda_items_report_run_id'), ['report_run_id'], unique=False)

    with op.batch_alter_table('liaison_action_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_liaison_action_items_topic_id_topics'), 'topics', ['topic_id'], ['id'])

    op.create_table('liaison_research_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('open', 'done', name='milestone_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('output', sa.Text(), nullable=False),
    sa.Column('done_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state <> 'done' OR done_at IS NOT NULL", name=op.f('ck_liaison_research_milestones_done_has_time')),
    sa.ForeignKeyConstraint(['activity_id'], ['liaison_exchanges.id'], name=op.f('fk_liaison_research_milestones_activity_id_liaison_exchanges')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liaison_research_milestones'))
    )
    with op.batch_alter_table('liaison_research_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_liaison_research_milestones_activity', ['activity_id', 'due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('liaison_research_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_liaison_research_milestones_activity')
    op.drop_table('liaison_research_milestones')

    with op.batch_alter_table('liaison_action_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_liaison_action_items_topic_id_topics'), type_='foreignkey')
        batch_op.drop_column('topic_id')

    with op.batch_alter_table('liaison_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_liaison_agenda_items_report_run_id'))
        batch_op.drop_index(batch_op.f('ix_liaison_agenda_items_topic_id'))
        batch_op.drop_constraint(batch_op.f('fk_liaison_agenda_items_report_run_id_report_runs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_liaison_agenda_items_topic_id_topics'), type_='foreignkey')
        batch_op.drop_column('report_run_id')
        batch_op.drop_column('topic_id')
