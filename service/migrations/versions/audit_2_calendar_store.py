"""calendars in the database: calendar_document (installed files) and calendar_job (resumable
recomputation after an installation)

Files already installed in a server's calendar directory stay there and keep working on that server;
`ogi calendar import` of the same file stores it in the database for every server (docs/calendar.md).

Revision ID: audit_2
Revises: audit_1
"""
import sqlalchemy as sa
from alembic import op

revision = "audit_2"
down_revision = "audit_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("installed_by", sa.Integer(), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["installed_by"], ["app_user.id"],
                                name=op.f("fk_calendar_document_installed_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_document")),
        sa.UniqueConstraint("kind", "key", name="uq_calendar_document_kind_key"),
    )
    op.create_table(
        "calendar_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_job")),
    )
    op.create_index(op.f("ix_calendar_job_status"), "calendar_job", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_job_status"), table_name="calendar_job")
    op.drop_table("calendar_job")
    op.drop_table("calendar_document")
