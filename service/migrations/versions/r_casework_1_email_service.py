"""service by e-mail: the recipient address, the Message-ID and the time the letter was handed to SMTP

Revision ID: r_casework_1
Revises: r_scale_1
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "r_casework_1"
down_revision = "r_scale_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_to", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch_op.add_column(sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letter_service", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("message_id")
        batch_op.drop_column("email_to")
