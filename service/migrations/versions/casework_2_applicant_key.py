"""The applicant's normalised ID number on each request (search by ID, monthly fee counts), back-filled.

Revision ID: casework_2
Revises: casework_1
Create Date: 2026-11-29
"""
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = 'casework_2'
down_revision = 'casework_1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_disclosure_request_applicant_key'), ['applicant_key'], unique=False)
    # Back-fill from each request's registered event (the applicant as registered).
    from workflow.identity import id_key

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT request_id, data FROM request_event WHERE kind = 'registered'")).fetchall()
    for request_id, data in rows:
        if isinstance(data, str):
            data = json.loads(data)
        key = id_key(((data or {}).get('applicant') or {}).get('id_number'))
        if key:
            bind.execute(sa.text("UPDATE disclosure_request SET applicant_key = :k WHERE id = :i"),
                         {"k": key, "i": request_id})


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of disclosure_request would trip the
    # foreign keys of the tables that point at it.
    op.drop_index(op.f('ix_disclosure_request_applicant_key'), table_name='disclosure_request')
    op.drop_column('disclosure_request', 'applicant_key')
