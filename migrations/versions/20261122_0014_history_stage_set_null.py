"""lead history: a deleted stage clears its reference instead of blocking the deletion

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 04:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "lead_status_history"
FK = "fk_lead_status_history_to_stage_id_pipeline_stages"


def upgrade() -> None:
    # On SQLite the batch rebuilds this table (nothing references it); on PostgreSQL these are plain ALTERs,
    # so the table's row-level security stays as it is.
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.alter_column("to_stage_id", nullable=True)
        batch.create_foreign_key(FK, "pipeline_stages", ["to_stage_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.alter_column("to_stage_id", nullable=False)
        batch.create_foreign_key(FK, "pipeline_stages", ["to_stage_id"], ["id"])
