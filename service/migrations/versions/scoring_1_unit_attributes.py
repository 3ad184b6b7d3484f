"""unit attributes by period, assessors' adjustments, assessment keys namespaced by producer and unit

Revision ID: scoring_1
Revises: safety_1
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "scoring_1"
down_revision = "files_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("unit_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("sum_parent_id", sa.Integer(), nullable=True),
        sa.Column("target_points", sa.Float(), nullable=True),
        sa.Column("set_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_agency_attribute_agency_id_agency")),
        sa.ForeignKeyConstraint(["sum_parent_id"], ["agency.id"],
                                name=op.f("fk_agency_attribute_sum_parent_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_attribute")),
        sa.UniqueConstraint("agency_id", "valid_from", name="uq_agency_attribute_agency_from"),
    )
    with op.batch_alter_table("agency_attribute", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_attribute_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "assessment_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("event_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["app_user.id"], name=op.f("fk_assessment_adjustment_author_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_adjustment")),
    )
    with op.batch_alter_table("assessment_adjustment", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_adjustment_scheme_event", ["scheme_id", "event_key"], unique=False)

    # Entry keys become <scheme>:<unit>:<client key>: room for the prefix.
    with op.batch_alter_table("assessment_entry", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sqlmodel.sql.sqltypes.AutoString(length=200),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=400), existing_nullable=False)
    # Keys of events posted through the API, and of entries, are namespaced by producer and unit, so one
    # office can no longer take another unit's key (or the workflow's). Workflow keys keep their form.
    op.execute("UPDATE assessment_event SET key = substr('api:' || unit || ':' || key, 1, 300) "
               "WHERE source = 'api' AND key NOT LIKE 'api:%'")
    op.execute("UPDATE assessment_entry SET key = scheme_id || ':' || unit || ':' || key")


def downgrade() -> None:
    with op.batch_alter_table("assessment_adjustment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_adjustment_scheme_event")
    op.drop_table("assessment_adjustment")
    with op.batch_alter_table("agency_attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_attribute_agency_id"))
    op.drop_table("agency_attribute")
