"""import_jobs: stage_values (the stage each of the file's stage names goes to) and pipeline_id

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.ddl import add_reference_column, drop_reference_column

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

FK_NAME = "fk_import_jobs_pipeline_id_pipelines"


def upgrade() -> None:
    # A server default fills the rows of imports made before: they matched stages by name only.
    op.add_column(
        "import_jobs", sa.Column("stage_values", sa.JSON, nullable=False, server_default=sa.text("'{}'"))
    )
    # NULL: the default pipeline, as before.
    add_reference_column("import_jobs", "pipeline_id", "pipelines", FK_NAME, ondelete="SET NULL")


def downgrade() -> None:
    drop_reference_column("import_jobs", "pipeline_id", FK_NAME)
    op.drop_column("import_jobs", "stage_values")
