"""campaigns, prospects and their source records; organizations.lead_credits_monthly

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-22 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from salesos.db.base import UtcDateTime
from salesos.db.rls import enable_tenant_rls

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("campaigns", "prospects", "prospect_sources")


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("business_type", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("radius_km", sa.Integer(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("max_prospects", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("scoring", sa.JSON(), nullable=False),
        sa.Column("auto_send_tiers", sa.String(length=2), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_number", sa.Integer(), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("done_at_start", sa.Integer(), nullable=False),
        sa.Column("run_started_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("run_finished_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("discovered_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("run_new", sa.Integer(), nullable=False),
        sa.Column("refresh_hours", sa.Integer(), nullable=True),
        sa.Column("next_refresh_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("enriched", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("qualified", sa.Integer(), nullable=False),
        sa.Column("outreach_sent", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_campaigns_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_campaigns_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaigns_org_id_next_refresh_at", ["org_id", "next_refresh_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_campaigns_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_campaigns_org_id_id", ["org_id", "id"], unique=False)

    op.create_table(
        "prospects",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("found_in_run", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("street", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("postcode", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=120), nullable=True),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("enrichment_status", sa.String(length=16), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("enriched_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("audit", sa.JSON(), nullable=False),
        sa.Column("website_score", sa.Integer(), nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("tier", sa.String(length=1), nullable=True),
        sa.Column("tier_reason", sa.String(length=500), nullable=True),
        sa.Column("score_breakdown", sa.JSON(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("scored_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_prospects_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_prospects_lead_id_leads"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_prospects_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospects")),
    )
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospects_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "ix_prospects_org_id_campaign_id_domain", ["org_id", "campaign_id", "domain"], unique=False
        )
        batch_op.create_index(
            "ix_prospects_org_id_campaign_id_phone", ["org_id", "campaign_id", "phone"], unique=False
        )
        batch_op.create_index(
            "ix_prospects_org_id_campaign_id_score", ["org_id", "campaign_id", "score"], unique=False
        )
        batch_op.create_index(
            "ix_prospects_org_id_campaign_id_status",
            ["org_id", "campaign_id", "enrichment_status"],
            unique=False,
        )

    op.create_table(
        "prospect_sources",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("prospect_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_prospect_sources_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_prospect_sources_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prospect_id"],
            ["prospects.id"],
            name=op.f("fk_prospect_sources_prospect_id_prospects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prospect_sources")),
        sa.UniqueConstraint(
            "org_id",
            "campaign_id",
            "source",
            "source_id",
            name=op.f("uq_prospect_sources_org_id_campaign_id_source_source_id"),
        ),
    )
    with op.batch_alter_table("prospect_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prospect_sources_org_id"), ["org_id"], unique=False)

    # Plain ALTER TABLE: a batch copy of organizations on SQLite would drop the table tenants cascade from.
    op.add_column("organizations", sa.Column("lead_credits_monthly", sa.Integer(), nullable=True))
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_column("organizations", "lead_credits_monthly")

    with op.batch_alter_table("prospect_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prospect_sources_org_id"))

    op.drop_table("prospect_sources")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index("ix_prospects_org_id_campaign_id_status")
        batch_op.drop_index("ix_prospects_org_id_campaign_id_score")
        batch_op.drop_index("ix_prospects_org_id_campaign_id_phone")
        batch_op.drop_index("ix_prospects_org_id_campaign_id_domain")
        batch_op.drop_index(batch_op.f("ix_prospects_org_id"))

    op.drop_table("prospects")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_org_id_id")
        batch_op.drop_index(batch_op.f("ix_campaigns_org_id"))
        batch_op.drop_index("ix_campaigns_org_id_next_refresh_at")

    op.drop_table("campaigns")
