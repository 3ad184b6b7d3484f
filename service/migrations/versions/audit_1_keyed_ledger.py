"""keyed audit ledger: audit_entry, audit_head (with the legacy marks), audit_checkpoint

Rows that exist when this runs were chained without a key (plain SHA-256). They are not re-keyed
(re-keying would also bless any edit made before the upgrade): the head row records the highest
id of each kind at upgrade, verify checks those rows' plain chains and reports nothing missing from
the ledger for them (docs/audit.md, "Legacy chains").

Revision ID: audit_1
Revises: safety_1
"""
import sqlalchemy as sa
from alembic import op

revision = "audit_1"
down_revision = "scoring_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("kind", "ref_id", name="uq_audit_entry_kind_ref"),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("legacy_request_max", sa.Integer(), nullable=False),
        sa.Column("legacy_event_max", sa.Integer(), nullable=False),
        sa.Column("legacy_letter_max", sa.Integer(), nullable=False),
        sa.Column("legacy_assessment_max", sa.Integer(), nullable=False),
        sa.Column("keyed_since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    bind = op.get_bind()

    def top(table: str) -> int:
        return int(bind.execute(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())

    from datetime import UTC, datetime

    op.bulk_insert(head, [{
        "id": 1, "seq": 0, "mac": "", "legacy_request_max": top("disclosure_request"),
        "legacy_event_max": top("request_event"), "legacy_letter_max": top("letter"),
        "legacy_assessment_max": top("assessment_event"), "keyed_since": datetime.now(UTC),
    }])


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_head")
    op.drop_table("audit_entry")
