"""notes: edited_at, set when the author (or an admin) changes a note's text

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Its own column, not updated_at: merging leads moves notes (and touches updated_at) without anyone
    # editing a word, and the page must only say "edited" when the text changed.
    op.add_column("notes", sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: a batch copy would drop and recreate the table on SQLite.
    op.drop_column("notes", "edited_at")
