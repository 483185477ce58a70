"""reminders: when a task's reminder went out, each user's reminder lead time, and the org list for scans

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tasks_org_id_due_at", "tasks", ["org_id", "due_at"], unique=False)
    op.add_column("users", sa.Column("reminder_minutes", sa.Integer(), server_default="10", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        # Periodic scans run without a tenant and visit each organisation in turn; under RLS they can't
        # list organisations, so the owner's function hands out the ids (ids only, nothing else).
        op.execute(
            """
            CREATE OR REPLACE FUNCTION app_org_ids() RETURNS SETOF uuid
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
              SELECT id FROM organizations ORDER BY id
            $$
            """
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS app_org_ids()")
    op.drop_column("users", "reminder_minutes")
    op.drop_index("ix_tasks_org_id_due_at", table_name="tasks")
    op.drop_column("tasks", "reminded_at")
