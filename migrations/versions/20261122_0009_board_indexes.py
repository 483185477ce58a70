"""Board column totals: a covering (org_id, stage_id, currency, value) index on leads

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The board's head row counts and sums every lead of the org per (stage, currency). With every column
# the grouped query reads in the index, it is an index-only scan instead of one table lookup per lead
# (measured in docs/benchmarks.md, "P2 board and list").
INDEX = "ix_leads_org_id_stage_id_currency_value"


def upgrade() -> None:
    op.create_index(INDEX, "leads", ["org_id", "stage_id", "currency", "value"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="leads")
