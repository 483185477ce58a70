"""leads: indexes for finding a lead by its primary contact or company (dedup, merges)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-22 05:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without them each exact-match lookup of intake and import reads every lead of the organisation.
    op.create_index(
        "ix_leads_org_id_primary_contact_id", "leads", ["org_id", "primary_contact_id"], unique=False
    )
    op.create_index("ix_leads_org_id_company_id", "leads", ["org_id", "company_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leads_org_id_company_id", table_name="leads")
    op.drop_index("ix_leads_org_id_primary_contact_id", table_name="leads")
