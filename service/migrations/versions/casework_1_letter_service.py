"""Service records of letters (送达): method, EMS number, sent and received dates.

Revision ID: casework_1
Revises: safety_1
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = 'casework_1'
down_revision = 'safety_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ems_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_letter_service_letter_id_letter')),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], name=op.f('fk_letter_service_recorded_by_app_user')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_request.id'],
                            name=op.f('fk_letter_service_request_id_disclosure_request')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_service')),
    sa.UniqueConstraint('letter_id', name=op.f('uq_letter_service_letter_id'))
    )
    with op.batch_alter_table('letter_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_service_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('letter_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_service_request_id'))
    op.drop_table('letter_service')
