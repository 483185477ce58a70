"""saved lead views, and indexes for sorting the lead list

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.rls import enable_tenant_rls

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Keyset pages on (org_id, <sort column>, id): the columns the list sorts on most.
LEAD_SORT_INDEXES = {
    "ix_leads_org_id_updated_at_id": ["org_id", "updated_at", "id"],
    "ix_leads_org_id_next_follow_up_at_id": ["org_id", "next_follow_up_at", "id"],
    "ix_leads_org_id_score_id": ["org_id", "score", "id"],
    "ix_leads_org_id_value_id": ["org_id", "value", "id"],
}


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("sort", sa.String(length=32), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_saved_views_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_views_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint("org_id", "user_id", "name", name=op.f("uq_saved_views_org_id_user_id_name")),
    )
    op.create_index(op.f("ix_saved_views_org_id"), "saved_views", ["org_id"], unique=False)
    op.create_index("ix_saved_views_org_id_id", "saved_views", ["org_id", "id"], unique=False)
    enable_tenant_rls("saved_views")
    for name, columns in LEAD_SORT_INDEXES.items():
        op.create_index(name, "leads", columns, unique=False)


def downgrade() -> None:
    for name in reversed(list(LEAD_SORT_INDEXES)):
        op.drop_index(name, table_name="leads")
    op.drop_table("saved_views")
