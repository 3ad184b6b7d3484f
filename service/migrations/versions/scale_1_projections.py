"""scale: list sort key and open flag, status counts, search index, annual-report facts

Revision ID: scale_1
Revises: safety_1
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = 'scale_1'
down_revision = 'audit_2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN and CREATE INDEX (both databases do them in place): a batch-mode
    # table copy would have to drop disclosure_request, which SQLite refuses while foreign keys from
    # events, letters and reminders point at it.
    op.add_column('disclosure_request', sa.Column('due_key', sa.Integer(), nullable=False, server_default='99999999'))
    op.add_column('disclosure_request', sa.Column('is_open', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_index('ix_disclosure_request_queue', 'disclosure_request', ['is_open', 'due_key', 'id'], unique=False)
    op.create_index('ix_disclosure_request_agency_queue', 'disclosure_request', ['agency_id', 'is_open', 'due_key', 'id'], unique=False)
    op.create_index('ix_disclosure_request_agency_due', 'disclosure_request', ['agency_id', 'due_key', 'id'], unique=False)
    op.create_index('ix_disclosure_request_due_key', 'disclosure_request', ['due_key', 'id'], unique=False)
    op.create_index('ix_disclosure_request_status_due', 'disclosure_request', ['status', 'due_key', 'id'], unique=False)
    op.create_table('request_status_count',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_request_status_count_agency_id_agency')),
    sa.PrimaryKeyConstraint('agency_id', 'status', name='pk_request_status_count')
    )
    op.create_table('report_fact',
    sa.Column('request_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('column', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('finished_on', sa.Date(), nullable=False),
    sa.Column('finish_row', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('finish_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('fee_paid_on', sa.Date(), nullable=True),
    sa.Column('fee_amount', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_report_fact_agency_id_agency')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_request.id'], name=op.f('fk_report_fact_request_id_disclosure_request')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_report_fact'))
    )
    with op.batch_alter_table('report_fact', schema=None) as batch_op:
        batch_op.create_index('ix_report_fact_received', ['agency_id', 'received_on'], unique=False)
        batch_op.create_index('ix_report_fact_finished', ['agency_id', 'finished_on'], unique=False)
        batch_op.create_index('ix_report_fact_fee', ['agency_id', 'fee_paid_on'], unique=False)
    op.create_table('report_review',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('grp', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_report_review_agency_id_agency')),
    sa.ForeignKeyConstraint(['request_id'], ['disclosure_request.id'], name=op.f('fk_report_review_request_id_disclosure_request')),
    sa.PrimaryKeyConstraint('request_id', 'review_id', name='pk_report_review')
    )
    with op.batch_alter_table('report_review', schema=None) as batch_op:
        batch_op.create_index('ix_report_review_filed', ['agency_id', 'filed_on'], unique=False)
    # The text-search index lives outside the SQLModel metadata: its form depends on the database.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TABLE request_search (request_id INTEGER PRIMARY KEY "
                   "REFERENCES disclosure_request (id), tokens TSVECTOR NOT NULL)")
        op.execute("CREATE INDEX ix_request_search_tokens ON request_search USING GIN (tokens)")
    else:
        op.execute("CREATE VIRTUAL TABLE request_search USING fts5(bi, uni, tokenize = 'unicode61')")
    # Fill everything from the data already there (the same code as `ogi report rebuild`).
    from sqlmodel import Session

    from service.projections.rebuild import rebuild_all

    session = Session(bind=op.get_bind())
    rebuild_all(session=session)
    session.flush()


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS request_search")
    with op.batch_alter_table('report_review', schema=None) as batch_op:
        batch_op.drop_index('ix_report_review_filed')
    op.drop_table('report_review')
    with op.batch_alter_table('report_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_report_fact_fee')
        batch_op.drop_index('ix_report_fact_finished')
        batch_op.drop_index('ix_report_fact_received')
    op.drop_table('report_fact')
    op.drop_table('request_status_count')
    for name in ('ix_disclosure_request_status_due', 'ix_disclosure_request_due_key', 'ix_disclosure_request_agency_due',
                 'ix_disclosure_request_agency_queue', 'ix_disclosure_request_queue'):
        op.drop_index(name, table_name='disclosure_request')
    op.drop_column('disclosure_request', 'is_open')  # SQLite >= 3.35 drops a column in place
    op.drop_column('disclosure_request', 'due_key')
