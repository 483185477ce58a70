"""contacts: email_key, the address without its "+tag", indexed in place of the address, filled

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.leads.keys import email_key

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Dedup matches addresses by this key. Stored, one indexed lookup finds "jane@x.com" for a lead stored
    # as "jane+news@x.com" and the other way round; before, intake found only the second direction and
    # the import scanned the org's tagged addresses once per run.
    op.add_column("contacts", sa.Column("email_key", sa.String(length=320), nullable=True))
    _fill()
    op.create_index("ix_contacts_org_id_email_key", "contacts", ["org_id", "email_key"], unique=False)
    # Lookups go by the key now; an index on the address would only slow every contact insert.
    op.drop_index("ix_contacts_org_id_email", table_name="contacts")


def _fill() -> None:
    """Every org's keys, with that org as the tenant (FORCE'd row-level security binds the owner too)."""
    bind = op.get_bind()
    uuid_ = sa.Uuid()
    organizations = sa.table("organizations", sa.column("id", uuid_))
    contacts = sa.table(
        "contacts",
        sa.column("id", uuid_),
        sa.column("org_id", uuid_),
        sa.column("email", sa.String()),
        sa.column("email_key", sa.String()),
    )
    for org_id in bind.scalars(sa.select(organizations.c.id)).all():
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text("SELECT set_config('app.current_tenant_id', :org, true)"), {"org": str(org_id)}
            )
        in_org = contacts.c.org_id == org_id
        bind.execute(
            sa.update(contacts)
            .where(in_org, contacts.c.email.is_not(None))
            .values(email_key=contacts.c.email)
        )
        tagged = bind.execute(
            sa.select(contacts.c.id, contacts.c.email).where(in_org, contacts.c.email.like("%+%"))
        )
        changes = [
            {"contact_id": id_, "key": email_key(email)} for id_, email in tagged if email_key(email) != email
        ]
        if changes:
            bind.execute(
                sa.update(contacts)
                .where(contacts.c.id == sa.bindparam("contact_id"))
                .values(email_key=sa.bindparam("key")),
                changes,
            )


def downgrade() -> None:
    op.create_index("ix_contacts_org_id_email", "contacts", ["org_id", "email"], unique=False)
    op.drop_index("ix_contacts_org_id_email_key", table_name="contacts")
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy the table and drop the original, and
    # dropping it with foreign keys on would clear every lead's primary contact (ON DELETE SET NULL).
    op.drop_column("contacts", "email_key")
