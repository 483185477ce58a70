"""import_jobs: default_owner_id, the member who gets the new leads of rows that name no owner

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from salesos.db.ddl import add_reference_column, drop_reference_column

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

FK_NAME = "fk_import_jobs_default_owner_id_users"


def upgrade() -> None:
    add_reference_column("import_jobs", "default_owner_id", "users", FK_NAME, ondelete="SET NULL")


def downgrade() -> None:
    drop_reference_column("import_jobs", "default_owner_id", FK_NAME)
