"""Composite (org_id, id) indexes so keyset pages of a tenant's lists are O(limit)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:35:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# org_id first (house rule 3); the time-ordered id second serves "newest first" pagination without a sort.
TABLES = ("memberships", "invitations", "api_keys")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_org_id_id", table, ["org_id", "id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_org_id_id", table_name=table)
