"""campaigns: an uploaded list of businesses as a discovery source

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-22 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases: a batch "copy and move" of campaigns on SQLite would drop the
# table its prospects cascade from.


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("list_path", sa.String(length=500), nullable=True))
    op.add_column("campaigns", sa.Column("list_name", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("campaigns", "list_name")
    op.drop_column("campaigns", "list_path")
