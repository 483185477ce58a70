"""calendar: events, per-user ICS feeds, and each user's own timezone

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.rls import enable_tenant_rls

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("calendar_events", "calendar_feeds", "calendar_connections")


def _common(table: str) -> list[object]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): users is referenced by many tables.
    op.add_column("users", sa.Column("timezone", sa.String(length=64), nullable=True))
    op.create_table(
        "calendar_events",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=1024), nullable=True),
        sa.Column("remote_synced_at", sa.DateTime(timezone=True), nullable=True),
        *_common("calendar_events"),  # type: ignore[arg-type]
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_calendar_events_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_calendar_events_task_id_tasks"), ondelete="SET NULL"
        ),
    )
    op.create_index(op.f("ix_calendar_events_org_id"), "calendar_events", ["org_id"], unique=False)
    op.create_index("ix_calendar_events_org_id_id", "calendar_events", ["org_id", "id"], unique=False)
    op.create_index(
        "ix_calendar_events_org_id_user_id_starts_at",
        "calendar_events",
        ["org_id", "user_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_sealed", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        *_common("calendar_feeds"),  # type: ignore[arg-type]
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feeds_org_id"), "calendar_feeds", ["org_id"], unique=False)
    op.create_index("ix_calendar_feeds_org_id_id", "calendar_feeds", ["org_id", "id"], unique=False)
    op.create_index("ix_calendar_feeds_org_id_user_id", "calendar_feeds", ["org_id", "user_id"], unique=False)
    op.create_table(
        "calendar_connections",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("tokens_sealed", sa.Text(), nullable=False),
        sa.Column("calendar_id", sa.String(length=255), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        *_common("calendar_connections"),  # type: ignore[arg-type]
        sa.UniqueConstraint(
            "org_id", "user_id", "provider", name=op.f("uq_calendar_connections_org_id_user_id_provider")
        ),
    )
    op.create_index(op.f("ix_calendar_connections_org_id"), "calendar_connections", ["org_id"], unique=False)
    op.create_index(
        "ix_calendar_connections_org_id_id", "calendar_connections", ["org_id", "id"], unique=False
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.drop_column("users", "timezone")
