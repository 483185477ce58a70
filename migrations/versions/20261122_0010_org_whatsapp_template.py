"""organizations: an editable WhatsApp message template

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases: a batch "copy and move" of organizations on SQLite would drop
# the table every tenant row cascades from.


def upgrade() -> None:
    op.add_column("organizations", sa.Column("whatsapp_template", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("organizations", "whatsapp_template")
