"""Campaign and prospect bodies: what a campaign looks for, how it scores, and what it found."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from salesos.api.schemas import Output, StrictInput

# "file": the campaign's uploaded list (PUT /campaigns/{id}/list before starting it).
Source = Literal["osm", "google_places", "yelp", "file"]
SendTiers = Literal["A", "AB"]
Industry = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
Weight = Annotated[int, Field(ge=0, le=100)]


class CriteriaIn(StrictInput):
    """Who the campaign wants at all; anything outside is tier C whatever its score."""

    min_reviews: int | None = Field(default=None, ge=0, le=100_000)
    max_website_score: int | None = Field(default=None, ge=0, le=100)
    industries: Annotated[list[Industry], Field(max_length=20)] = []


class WeightsIn(StrictInput):
    website: Weight = 40
    reviews: Weight = 20
    contact: Weight = 25
    timing: Weight = 15


class ScoringIn(StrictInput):
    """Factor weights (relative) and the score where tiers A and B begin."""

    weights: WeightsIn = WeightsIn()
    tier_a: int = Field(default=60, ge=1, le=100)
    tier_b: int = Field(default=40, ge=0, le=99)

    @model_validator(mode="after")
    def _ordered(self) -> ScoringIn:
        if self.tier_b >= self.tier_a:
            raise ValueError("tier_b must be below tier_a")
        if sum(self.weights.model_dump().values()) == 0:
            raise ValueError("at least one weight must be above 0")
        return self


class CampaignFields(StrictInput):
    """Fields a campaign can change after creation (all optional on update)."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    radius_km: int | None = Field(default=None, ge=1, le=100)
    max_prospects: int | None = Field(default=None, ge=1, le=1000)
    criteria: CriteriaIn | None = None
    scoring: ScoringIn | None = None
    auto_send_tiers: SendTiers | None = None
    refresh_hours: int | None = Field(default=None, ge=1, le=24 * 14)


class CampaignCreateIn(StrictInput):
    """A new campaign: what to look for, where, from which sources; started at once unless start=false."""

    name: str = Field(min_length=1, max_length=120)
    business_type: str = Field(min_length=2, max_length=120)
    location: str = Field(min_length=2, max_length=200)
    radius_km: int | None = Field(default=None, ge=1, le=100)
    sources: Annotated[list[Source], Field(min_length=1, max_length=4)] | None = None
    max_prospects: int = Field(default=100, ge=1, le=1000)
    criteria: CriteriaIn = CriteriaIn()
    scoring: ScoringIn = ScoringIn()
    auto_send_tiers: SendTiers | None = None
    # Hours between refresh runs; null turns refreshing off.
    refresh_hours: int | None = Field(default=6, ge=1, le=24 * 14)
    start: bool = True


class CampaignUpdateIn(CampaignFields):
    """Changes to a campaign; new weights, thresholds or criteria rescore what it found."""


class CampaignOut(Output):
    id: uuid.UUID
    name: str
    business_type: str
    location: str
    radius_km: int | None
    sources: list[str]
    max_prospects: int
    criteria: dict[str, Any]
    scoring: dict[str, Any]
    auto_send_tiers: str | None
    status: str
    run_number: int
    run_started_at: datetime | None
    run_finished_at: datetime | None
    run_new: int
    refresh_hours: int | None
    next_refresh_at: datetime | None
    found: int
    enriched: int
    failed: int
    qualified: int
    outreach_sent: int
    percent: int
    prospects_per_minute: float | None
    eta_seconds: int | None
    error: str | None
    # Set while discovery waits to retry after a passing failure (error says which).
    retry_at: datetime | None
    created_at: datetime


class ProspectOut(Output):
    id: uuid.UUID
    campaign_id: uuid.UUID
    found_in_run: int
    name: str
    website: str | None
    domain: str | None
    phone: str | None
    street: str | None
    city: str | None
    region: str | None
    postcode: str | None
    country: str | None
    lat: float | None
    lon: float | None
    category: str | None
    rating: float | None
    review_count: int | None
    enrichment_status: str
    failure_reason: str | None
    website_score: int | None
    score: int | None
    tier: str | None
    tier_reason: str | None
    qualified: bool
    lead_id: uuid.UUID | None
    created_at: datetime


class ProspectDetailOut(ProspectOut):
    """A prospect with everything enrichment found and how its score was made."""

    audit: dict[str, Any]
    contacts: list[dict[str, Any]]
    analysis: dict[str, Any]
    score_breakdown: list[dict[str, Any]]
    sources: list[dict[str, str]]


class SendToBoardIn(StrictInput):
    """Which prospects become leads: these ids, or every qualified prospect of these tiers."""

    # Exactly one of the two; checked after the campaign is found, so a foreign id is a plain 404.
    ids: Annotated[list[uuid.UUID], Field(max_length=1000)] | None = None
    tiers: Annotated[list[Literal["A", "B"]], Field(min_length=1, max_length=2)] | None = None


class CampaignListOut(Output):
    """The list now attached to the campaign."""

    campaign: CampaignOut
    filename: str
    businesses: int


class SendToBoardOut(Output):
    created: int
    lead_ids: list[uuid.UUID]
    skipped: int
