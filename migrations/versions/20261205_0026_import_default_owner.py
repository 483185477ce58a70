"""import_jobs: default_owner_id, the member who gets the new leads of rows that name no owner

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

FK_NAME = "fk_import_jobs_default_owner_id_users"


def upgrade() -> None:
    # In place on both databases, without a table copy: SQLite can't add a constraint to a table, but its
    # ADD COLUMN takes an inline REFERENCES clause for a column that defaults to NULL.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE import_jobs ADD COLUMN default_owner_id CHAR(32) CONSTRAINT {FK_NAME} "
            "REFERENCES users (id) ON DELETE SET NULL"
        )
        return
    op.add_column("import_jobs", sa.Column("default_owner_id", sa.Uuid, nullable=True))
    op.create_foreign_key(FK_NAME, "import_jobs", "users", ["default_owner_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(FK_NAME, "import_jobs", type_="foreignkey")
    op.drop_column("import_jobs", "default_owner_id")
