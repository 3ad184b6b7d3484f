"""calendar_job.actor_id and calendar_job.actor: who installed the calendar whose recomputation the job
runs, so that the due_date_changed events it records name them (issue 14: "recorded with actor null").

Jobs recorded before this revision keep an empty actor (unknown).

Revision ID: r_workflow_1
Revises: notify_1
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "r_workflow_1"
down_revision = "notify_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False,
                                      server_default=""))
        batch_op.create_foreign_key(batch_op.f("fk_calendar_job_actor_id_app_user"), "app_user", ["actor_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("calendar_job", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_calendar_job_actor_id_app_user"), type_="foreignkey")
        batch_op.drop_column("actor")
        batch_op.drop_column("actor_id")
