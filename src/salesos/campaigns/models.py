"""Campaigns, the prospects they found, and which source records each prospect was built from."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    # Discovery kept failing until the job's retries ran out; resume tries again.
    FAILED = "failed"


class EnrichmentStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Campaign(IdMixin, TenantMixin, TimestampMixin, Base):
    """What to look for and where, how to judge it, and how far the current run got."""

    __tablename__ = "campaigns"
    __table_args__ = (
        Index("ix_campaigns_org_id_id", "org_id", "id"),
        # The refresh tick looks for due campaigns, org by org.
        Index("ix_campaigns_org_id_next_refresh_at", "org_id", "next_refresh_at"),
    )

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(120))
    business_type: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(200))
    radius_km: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The uploaded list (CSV or JSON) the "file" source reads: stored path and the name it was sent as.
    list_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    list_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    max_prospects: Mapped[int] = mapped_column(Integer, default=100)
    # min_reviews, max_website_score, industries: a prospect outside them is never qualified.
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Factor weights and tier thresholds; empty means the defaults in service/scoring.py.
    scoring: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "A", "AB" or None: which tiers go to the board on their own once scored.
    auto_send_tiers: Mapped[str | None] = mapped_column(String(2), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT.value)
    # Bumped by every start and refresh; prospects remember the run that found them.
    run_number: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by start, refresh and resume alike: a paused run's dropped jobs come back under new keys.
    wave: Mapped[int] = mapped_column(Integer, default=0)
    # Prospects already finished when this run (or resume) began, so the rate measures this run only.
    done_at_start: Mapped[int] = mapped_column(Integer, default=0)
    run_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    run_finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    discovered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Prospects the latest run added: what "a refresh reports what is new" shows.
    run_new: Mapped[int] = mapped_column(Integer, default=0)
    # None: never refreshed (the API and form default to 6 hours).
    refresh_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_refresh_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Recounted from prospects in the same transaction as every change, never incremented.
    found: Mapped[int] = mapped_column(Integer, default=0)
    enriched: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[int] = mapped_column(Integer, default=0)
    outreach_sent: Mapped[int] = mapped_column(Integer, default=0)
    # Why the run stopped on its own (a provider refused, the credit budget ran out, discovery failed);
    # while retry_at is set, the passing failure the run is retrying after.
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When discovery tries again after a passing failure; None when it is not waiting to retry.
    retry_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Prospect(IdMixin, TenantMixin, TimestampMixin, Base):
    """One business a campaign found: listing facts, then the audit, contacts, analysis and score."""

    __tablename__ = "prospects"
    __table_args__ = (
        Index("ix_prospects_org_id_campaign_id_score", "org_id", "campaign_id", "score"),
        Index("ix_prospects_org_id_campaign_id_status", "org_id", "campaign_id", "enrichment_status"),
        Index("ix_prospects_org_id_campaign_id_domain", "org_id", "campaign_id", "domain"),
        Index("ix_prospects_org_id_campaign_id_phone", "org_id", "campaign_id", "phone"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"))
    # The run that first found it: a refresh's new prospects are the ones with its run number.
    found_in_run: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    street: Mapped[str | None] = mapped_column(String(300), nullable=True)
    city: Mapped[str | None] = mapped_column(String(120), nullable=True)
    region: Mapped[str | None] = mapped_column(String(120), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(32), nullable=True)
    country: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    category: Mapped[str | None] = mapped_column(String(120), nullable=True)
    rating: Mapped[float | None] = mapped_column(Float, nullable=True)
    review_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    enrichment_status: Mapped[str] = mapped_column(String(16), default=EnrichmentStatus.PENDING.value)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    enriched_at: Mapped[datetime | None] = mapped_column(nullable=True)
    audit: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    website_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    analysis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tier: Mapped[str | None] = mapped_column(String(1), nullable=True)
    tier_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    score_breakdown: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    scored_at: Mapped[datetime | None] = mapped_column(nullable=True)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("leads.id", ondelete="SET NULL"), nullable=True
    )


class ProspectSource(IdMixin, TenantMixin, Base):
    """A (source, source id) a prospect was built from: at most once per campaign."""

    __tablename__ = "prospect_sources"
    __table_args__ = (UniqueConstraint("org_id", "campaign_id", "source", "source_id"),)

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"))
    prospect_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("prospects.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(200))
