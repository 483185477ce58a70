"""merge suggestions: pairs of leads that look like the same business

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.rls import enable_tenant_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "merge_suggestions"


def _lead_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["leads.id"], name=op.f(f"fk_{TABLE}_{column}_leads"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("other_lead_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f(f"fk_{TABLE}_org_id_organizations"),
            ondelete="CASCADE",
        ),
        _lead_fk("lead_id"),
        _lead_fk("other_lead_id"),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint(
            "org_id", "lead_id", "other_lead_id", name=op.f(f"uq_{TABLE}_org_id_lead_id_other_lead_id")
        ),
    )
    op.create_index(op.f(f"ix_{TABLE}_org_id"), TABLE, ["org_id"], unique=False)
    op.create_index(f"ix_{TABLE}_org_id_id", TABLE, ["org_id", "id"], unique=False)
    op.create_index(f"ix_{TABLE}_org_id_other_lead_id", TABLE, ["org_id", "other_lead_id"], unique=False)
    enable_tenant_rls(TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
