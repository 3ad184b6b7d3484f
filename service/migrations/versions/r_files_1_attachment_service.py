"""attachments on a service record (送达回证, EMS proof)

Revision ID: r_files_1
Revises: r_casework_1
Create Date: 2026-11-30 01:25:00

Adds ``attachment.service_id``: the service record (letter_service) a proof of service belongs to.
Nullable, so every attachment already uploaded stays as it was (on its request or letter).
"""
from alembic import op
import sqlalchemy as sa


revision = 'r_files_1'
down_revision = "r_casework_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_service_id'), ['service_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachment_service_id_letter_service'), 'letter_service',
                                    ['service_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachment_service_id_letter_service'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachment_service_id'))
        batch_op.drop_column('service_id')
