"""Drafts in versions and the internal work steps (分办, 拟稿, 法制审核, 退回, 签发).

Revision ID: casework_3
Revises: casework_2
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = 'casework_3'
down_revision = 'casework_2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_draft_author_id_app_user')),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_draft_letter_id_letter')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_request.id'],
                            name=op.f('fk_draft_request_id_disclosure_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft'))
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_status'), ['status'], unique=False)
    op.create_table('draft_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_draft_version_author_id_app_user')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_draft_version_draft_id_draft')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_version')),
    sa.UniqueConstraint('draft_id', 'version', name='uq_draft_version_draft_id_version')
    )
    with op.batch_alter_table('draft_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_version_draft_id'), ['draft_id'], unique=False)
    op.create_table('work_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_work_step_actor_id_app_user')),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], name=op.f('fk_work_step_assignee_id_app_user')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_work_step_draft_id_draft')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_request.id'],
                            name=op.f('fk_work_step_request_id_disclosure_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_step'))
    )
    with op.batch_alter_table('work_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_step_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_step_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_step_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    op.drop_table('work_step')
    op.drop_table('draft_version')
    op.drop_table('draft')
