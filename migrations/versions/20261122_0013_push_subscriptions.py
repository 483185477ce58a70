"""push subscriptions: the devices each user turned notifications on in

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.rls import enable_tenant_rls

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "push_subscriptions"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{TABLE}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint(
            "org_id", "user_id", "endpoint", name=op.f(f"uq_{TABLE}_org_id_user_id_endpoint")
        ),
    )
    op.create_index(op.f(f"ix_{TABLE}_org_id"), TABLE, ["org_id"], unique=False)
    op.create_index(f"ix_{TABLE}_org_id_id", TABLE, ["org_id", "id"], unique=False)
    op.create_index(f"ix_{TABLE}_org_id_user_id", TABLE, ["org_id", "user_id"], unique=False)
    enable_tenant_rls(TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
