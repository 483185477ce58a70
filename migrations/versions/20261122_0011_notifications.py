"""notifications and notification preferences

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.rls import enable_tenant_rls

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id"], ["organizations.id"], name=op.f(f"fk_{table}_org_id_organizations"), ondelete="CASCADE"
    )


def _user_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        _org_fk("notifications"),
        _user_fk("notifications", "user_id", "CASCADE"),
        _user_fk("notifications", "actor_id", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_notifications_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_org_id"), "notifications", ["org_id"], unique=False)
    op.create_index(
        "ix_notifications_org_id_user_id_id", "notifications", ["org_id", "user_id", "id"], unique=False
    )
    op.create_index(
        "ix_notifications_org_id_user_id_read_at",
        "notifications",
        ["org_id", "user_id", "read_at"],
        unique=False,
    )
    enable_tenant_rls("notifications")

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("email_digest", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _org_fk("notification_preferences"),
        _user_fk("notification_preferences", "user_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "org_id", "user_id", "type", name=op.f("uq_notification_preferences_org_id_user_id_type")
        ),
    )
    op.create_index(
        op.f("ix_notification_preferences_org_id"), "notification_preferences", ["org_id"], unique=False
    )
    enable_tenant_rls("notification_preferences")


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_table("notifications")
