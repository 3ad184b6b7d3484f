"""deployment admin flag on users; the administrative change log (who installed, assigned, disabled)

Revision ID: safety_1
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = "safety_1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        # Existing users (admins included) get no deployment-wide rights: granted from the CLI only.
        batch_op.add_column(sa.Column("deployment_admin", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        "admin_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"], name=op.f("fk_admin_change_actor_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_change")),
    )
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_change_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_change_actor_id"), ["actor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_change_actor_id"))
        batch_op.drop_index(batch_op.f("ix_admin_change_action"))
    op.drop_table("admin_change")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("deployment_admin")
