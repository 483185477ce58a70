"""campaigns: retry_at, so a run waiting to retry discovery after a passing failure says when

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 03:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column, added in place on both databases; the new "failed" status needs no change
    # (status is a plain string column).
    op.add_column("campaigns", sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Failed campaigns become paused with their error kept (resume works on those), one organisation at
    # a time: FORCE'd row-level security applies to the owner too.
    bind = op.get_bind()
    campaigns = sa.table("campaigns", sa.column("org_id", sa.Uuid), sa.column("status", sa.String))
    organizations = sa.table("organizations", sa.column("id", sa.Uuid))
    for org_id in bind.scalars(sa.select(organizations.c.id)).all():
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text("SELECT set_config('app.current_tenant_id', :org, true)"), {"org": str(org_id)}
            )
        bind.execute(
            sa.update(campaigns)
            .where(campaigns.c.org_id == org_id, campaigns.c.status == "failed")
            .values(status="paused")
        )
    # In place, not in batch mode: a batch copy would drop and recreate the table on SQLite.
    op.drop_column("campaigns", "retry_at")
