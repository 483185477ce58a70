"""import_jobs: stage_values, the stage each value of the file's stage column goes to

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A server default fills the rows of imports made before: they matched stages by name only.
    op.add_column(
        "import_jobs", sa.Column("stage_values", sa.JSON, nullable=False, server_default=sa.text("'{}'"))
    )


def downgrade() -> None:
    op.drop_column("import_jobs", "stage_values")  # in place: SQLite 3.35+ drops a column itself
