"""Assessment tallies: events counted per unit, kind, month and amount, for the scoring summary

Revision ID: r_scale_1
Revises: r_workflow_1
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = 'r_scale_1'
down_revision = 'r_workflow_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_tally')),
    sa.UniqueConstraint('unit', 'kind', 'month', 'amount', name='uq_assessment_tally_class')
    )
    with op.batch_alter_table('assessment_tally', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_tally_month', ['month', 'unit'], unique=False)
    # Count the events already there (the same code as `ogi score rebuild`).
    from sqlmodel import Session

    from service.assessment.tallies import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session=session)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table('assessment_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_tally_month')
    op.drop_table('assessment_tally')
