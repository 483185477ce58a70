"""companies: (org_id, lower(name), id) for the lead list sorted by company name

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without it PostgreSQL joined all of the org's leads to their companies and sorted them for every
    # page: 430 ms at 100,000 leads. With it, it walks the companies in name order and stops at the
    # page's end (an incremental sort orders leads of the same name by id): 5 ms for the first page.
    op.create_index(
        "ix_companies_org_id_lower_name_id",
        "companies",
        ["org_id", sa.text("lower(name)"), "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_companies_org_id_lower_name_id", table_name="companies")
