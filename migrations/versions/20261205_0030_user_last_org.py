"""users: last_org_id, the organisation a fresh sign-in returns to

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key: a preference, checked against the memberships at every sign-in, so an
    # organisation deleted or left since simply falls back to the first membership.
    op.add_column("users", sa.Column("last_org_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: a batch copy would drop and recreate the table on SQLite.
    op.drop_column("users", "last_org_id")
