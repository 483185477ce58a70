"""calendar_events: cancelled_at, so a cancelled call leaves the feed and the connected calendar

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The row stays when a call is cancelled: feed subscribers learn of it from STATUS:CANCELLED with a
    # higher SEQUENCE, and the sync job needs the row to remove the copy on the user's Google Calendar.
    op.add_column("calendar_events", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: a batch copy would drop and recreate the table on SQLite.
    op.drop_column("calendar_events", "cancelled_at")
