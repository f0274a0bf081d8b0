"""Referrals: types (seeded from DOMAIN.md §2), referrals, their timeline, messages, serials, attachments.

Revision ID: 74e9c817edb9
Revises: 7071b270c0c1
Create Date: 2026-11-26 20:15:40.924825

"""
from alembic import op
import sqlalchemy as sa

import oversight.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '74e9c817edb9'
down_revision = '7071b270c0c1'
branch_labels = None
depends_on = None


# The referral types of DOMAIN.md §2, frozen as of this revision (administrators edit them later).
# Deadlines: (amount, unit). "wd" = working days.
_COMMON = dict(description="", ack_unit="working_days", procedural_unit="working_days", result_unit="months",
               rehandling_unit="months", roll_weekends=True, active=True, version=1, max_extensions=1,
               default_classification="internal", procedural_amount=None, cap_months=None)
_TYPES = [
    dict(code="deputy_suggestion", name="代表建议", direction="npc_to_procuratorate",
         legal_basis="《代表法》第五十一条：交办之日起三个月内答复，最长不超过六个月",
         ack_amount=3, return_window_days=5, result_amount=3, cap_months=6, extension_approver="sender",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=True, max_rehandling_rounds=2,
         rehandling_amount=1, case_related=False, requires_deputy=True),
    dict(code="deputy_letter", name="代表转交来信", direction="npc_to_procuratorate",
         legal_basis="涉及具体案件的建议转为代表来信；《信访工作条例》第二十二、二十三条",
         ack_amount=3, return_window_days=5, procedural_amount=7, result_amount=3, extension_approver="receiver",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=False, max_rehandling_rounds=0,
         rehandling_amount=1, case_related=True, requires_deputy=False),
    dict(code="litigation_petition", name="涉法涉诉信访", direction="npc_to_procuratorate",
         legal_basis="《信访工作条例》第二十二、二十三条；检察机关“件件有回复”：七个工作日内程序性回复，三个月内答复结果或进展",
         ack_amount=3, return_window_days=5, procedural_amount=7, result_amount=3, extension_approver="receiver",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=False, max_rehandling_rounds=0,
         rehandling_amount=1, case_related=True, requires_deputy=False),
    dict(code="inspection_finding", name="执法司法问题（执法检查、调研发现）", direction="npc_to_procuratorate",
         legal_basis="《监督法》第三十五、三十六条（执法检查报告及审议意见）",
         ack_amount=3, return_window_days=5, result_amount=3, extension_approver="sender",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=True, max_rehandling_rounds=2,
         rehandling_amount=1, case_related=False, requires_deputy=False),
    dict(code="supervision_lead", name="监督线索", direction="npc_to_procuratorate",
         legal_basis="地方规定；一个月内决定是否受理，三个月内反馈结果或进展",
         ack_amount=3, return_window_days=5, procedural_amount=1, procedural_unit="months", result_amount=3,
         extension_approver="receiver", evaluated=True, evaluation_window_days=15, dissatisfied_reopens=False,
         max_rehandling_rounds=0, rehandling_amount=1, case_related=True, requires_deputy=False),
    dict(code="deliberation_opinion", name="审议意见", direction="npc_to_procuratorate",
         legal_basis="《监督法》第十七条；研究处理情况报告期限由地方规定（默认三个月）",
         ack_amount=5, return_window_days=5, result_amount=3, extension_approver="sender",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=True, max_rehandling_rounds=2,
         rehandling_amount=3, case_related=False, requires_deputy=False),
    dict(code="resolution", name="决议、决定", direction="npc_to_procuratorate",
         legal_basis="《监督法》第十七条：在决议规定的期限内报告执行情况",
         ack_amount=5, return_window_days=5, result_amount=3, extension_approver="sender",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=True, max_rehandling_rounds=2,
         rehandling_amount=3, case_related=False, requires_deputy=False),
    dict(code="appraisal_opinion", name="评议意见", direction="npc_to_procuratorate",
         legal_basis="地方工作评议规定；不满意的，三个月内再次报告",
         ack_amount=5, return_window_days=5, result_amount=3, extension_approver="sender",
         evaluated=True, evaluation_window_days=15, dissatisfied_reopens=True, max_rehandling_rounds=2,
         rehandling_amount=3, case_related=False, requires_deputy=False),
    dict(code="work_report", name="法律监督工作情况报告", direction="procuratorate_to_npc",
         legal_basis="信息共享机制；定期报送", ack_amount=5, return_window_days=5, result_amount=3,
         extension_approver="sender", evaluated=False, evaluation_window_days=15, dissatisfied_reopens=False,
         max_rehandling_rounds=0, rehandling_amount=3, case_related=False, requires_deputy=False),
    dict(code="special_work_report", name="专项工作报告", direction="procuratorate_to_npc",
         legal_basis="《监督法》第十五条：会议举行二十日前送交征求意见，十日前报送常委会，七日前印发组成人员",
         ack_amount=5, return_window_days=5, result_amount=3, extension_approver="sender", evaluated=False,
         evaluation_window_days=15, dissatisfied_reopens=False, max_rehandling_rounds=0, rehandling_amount=3,
         case_related=False, requires_deputy=False),
    dict(code="implementation_report", name="审议意见研究处理情况报告", direction="procuratorate_to_npc",
         legal_basis="《监督法》第十七条", ack_amount=5, return_window_days=5, result_amount=3,
         extension_approver="sender", evaluated=False, evaluation_window_days=15, dissatisfied_reopens=False,
         max_rehandling_rounds=0, rehandling_amount=3, case_related=False, requires_deputy=False),
    dict(code="governance_notice", name="社会治理薄弱环节通报", direction="procuratorate_to_npc",
         legal_basis="信息共享机制", ack_amount=5, return_window_days=5, result_amount=3,
         extension_approver="sender", evaluated=False, evaluation_window_days=15, dissatisfied_reopens=False,
         max_rehandling_rounds=0, rehandling_amount=3, case_related=False, requires_deputy=False),
    dict(code="topic_proposal", name="监督议题建议", direction="procuratorate_to_npc",
         legal_basis="《监督法》第十二条", ack_amount=5, return_window_days=5, result_amount=3,
         extension_approver="sender", evaluated=False, evaluation_window_days=15, dissatisfied_reopens=False,
         max_rehandling_rounds=0, rehandling_amount=3, case_related=False, requires_deputy=False),
]


def _seed_types():
    columns = sorted({key for row in _TYPES for key in {**_COMMON, **row}})
    table = sa.table("referral_types", *[sa.column(c) for c in columns])
    op.bulk_insert(table, [{**_COMMON, **row} for row in _TYPES])


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('referral_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('direction', sa.Enum('npc_to_procuratorate', 'procuratorate_to_npc', name='direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('ack_amount', sa.Integer(), nullable=False),
    sa.Column('ack_unit', sa.Enum('working_days', 'days', 'months', name='ack_unit', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('return_window_days', sa.Integer(), nullable=False),
    sa.Column('procedural_amount', sa.Integer(), nullable=True),
    sa.Column('procedural_unit', sa.Enum('working_days', 'days', 'months', name='procedural_unit', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('result_amount', sa.Integer(), nullable=False),
    sa.Column('result_unit', sa.Enum('working_days', 'days', 'months', name='result_unit', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cap_months', sa.Integer(), nullable=True),
    sa.Column('extension_approver', sa.Enum('sender', 'receiver', name='approver', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('max_extensions', sa.Integer(), nullable=False),
    sa.Column('evaluated', sa.Boolean(), nullable=False),
    sa.Column('evaluation_window_days', sa.Integer(), nullable=False),
    sa.Column('dissatisfied_reopens', sa.Boolean(), nullable=False),
    sa.Column('max_rehandling_rounds', sa.Integer(), nullable=False),
    sa.Column('rehandling_amount', sa.Integer(), nullable=False),
    sa.Column('rehandling_unit', sa.Enum('working_days', 'days', 'months', name='rehandling_unit', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('case_related', sa.Boolean(), nullable=False),
    sa.Column('requires_deputy', sa.Boolean(), nullable=False),
    sa.Column('roll_weekends', sa.Boolean(), nullable=False),
    sa.Column('default_classification', sa.Enum('public', 'internal', 'sensitive', name='classification', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_types')),
    sa.UniqueConstraint('code', name=op.f('uq_referral_types_code'))
    )
    op.create_table('serial_counters',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_serial_counters_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', 'year', name=op.f('pk_serial_counters'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', oversight.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_owner', ['owner_type', 'owner_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=True),
    sa.Column('client_token', sa.String(length=40), nullable=True),
    sa.Column('direction', sa.Enum('npc_to_procuratorate', 'procuratorate_to_npc', name='direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'sent', 'acknowledged', 'accepted', 'in_progress', 'replied', 'returned', 'withdrawn', 'submitted', 'received', 'scheduled', 'closed', 'archived', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('classification', sa.Enum('public', 'internal', 'sensitive', name='classification', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sender_org_id', sa.Integer(), nullable=False),
    sa.Column('receiver_org_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('procedural_reply', sa.Text(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('resolved', 'in_progress', 'planned', 'for_reference', name='outcome', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('reply_text', sa.Text(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('suggested_receiver_id', sa.Integer(), nullable=True),
    sa.Column('evaluation', sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', 'no_feedback', name='evaluation', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('evaluation_reasons', sa.Text(), nullable=True),
    sa.Column('evaluation_reminded', sa.Boolean(), nullable=False),
    sa.Column('extension_requested_until', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('extensions_granted', sa.Integer(), nullable=False),
    sa.Column('urge_count', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=True),
    sa.Column('vote_for', sa.Integer(), nullable=True),
    sa.Column('vote_against', sa.Integer(), nullable=True),
    sa.Column('vote_abstain', sa.Integer(), nullable=True),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('accepted_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('assigned_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('replied_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('evaluated_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('closed_at', oversight.db.UTCDateTime(), nullable=True),
    sa.Column('ack_due', sa.Date(), nullable=True),
    sa.Column('procedural_due', sa.Date(), nullable=True),
    sa.Column('result_due', sa.Date(), nullable=True),
    sa.Column('cap_due', sa.Date(), nullable=True),
    sa.Column('evaluation_due', sa.Date(), nullable=True),
    sa.Column('current_due', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state <> 'returned' OR return_reason IS NOT NULL", name=op.f('ck_referrals_returned_has_reason')),
    sa.CheckConstraint("state NOT IN ('replied', 'closed') OR direction <> 'npc_to_procuratorate' OR state = 'closed' OR reply_text IS NOT NULL", name=op.f('ck_referrals_replied_has_text')),
    sa.CheckConstraint('round >= 1', name=op.f('ck_referrals_round_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['organisations.id'], name=op.f('fk_referrals_department_id_organisations')),
    sa.ForeignKeyConstraint(['deputy_id'], ['users.id'], name=op.f('fk_referrals_deputy_id_users')),
    sa.ForeignKeyConstraint(['handler_id'], ['users.id'], name=op.f('fk_referrals_handler_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['referrals.id'], name=op.f('fk_referrals_parent_id_referrals')),
    sa.ForeignKeyConstraint(['receiver_org_id'], ['organisations.id'], name=op.f('fk_referrals_receiver_org_id_organisations')),
    sa.ForeignKeyConstraint(['sender_org_id'], ['organisations.id'], name=op.f('fk_referrals_sender_org_id_organisations')),
    sa.ForeignKeyConstraint(['suggested_receiver_id'], ['organisations.id'], name=op.f('fk_referrals_suggested_receiver_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['referral_types.id'], name=op.f('fk_referrals_type_id_referral_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('client_token', name=op.f('uq_referrals_client_token')),
    sa.UniqueConstraint('serial', name=op.f('uq_referrals_serial'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_deputy', ['deputy_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_referrals_handler', ['handler_id', 'state'], unique=False)
        batch_op.create_index('ix_referrals_open_due', ['state', 'current_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_referrals_receiver_state', ['receiver_org_id', 'state', 'current_due', 'id'], unique=False)
        batch_op.create_index('ix_referrals_receiver_updated', ['receiver_org_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_referrals_sender_state', ['sender_org_id', 'state', 'current_due', 'id'], unique=False)
        batch_op.create_index('ix_referrals_sender_updated', ['sender_org_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_type_id'), ['type_id'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=120), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('at', oversight.db.UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('due_after', sa.Date(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_referral_events_actor_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_events_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_events'))
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index('ix_referral_events_referral', ['referral_id', 'id'], unique=False)

    op.create_table('referral_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', oversight.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_referral_messages_author_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_messages_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_messages'))
    )
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.create_index('ix_referral_messages_referral', ['referral_id', 'id'], unique=False)

    # ### end Alembic commands ###
    _seed_types()


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_messages_referral')

    op.drop_table('referral_messages')
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_events_referral')

    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_type_id'))
        batch_op.drop_index('ix_referrals_sender_updated')
        batch_op.drop_index('ix_referrals_sender_state')
        batch_op.drop_index('ix_referrals_receiver_updated')
        batch_op.drop_index('ix_referrals_receiver_state')
        batch_op.drop_index(batch_op.f('ix_referrals_parent_id'))
        batch_op.drop_index('ix_referrals_open_due')
        batch_op.drop_index('ix_referrals_handler')
        batch_op.drop_index('ix_referrals_deputy')

    op.drop_table('referrals')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index('ix_attachments_owner')

    op.drop_table('attachments')
    op.drop_table('serial_counters')
    op.drop_table('referral_types')
    # ### end Alembic commands ###
