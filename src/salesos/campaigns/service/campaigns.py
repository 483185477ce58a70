"""Campaign lifecycle: create, start (and refresh), pause, resume, edit, delete, and the progress figures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.campaigns import schemas
from salesos.campaigns.models import Campaign, CampaignStatus, Prospect
from salesos.campaigns.repository import CampaignRepository, Counts, ProspectRepository
from salesos.campaigns.service import lists, providers
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import on_commit
from salesos.errors import Conflict, NotFound, ValidationFailed
from salesos.integrations.search.business_types import resolve_business_type
from salesos.jobs import enqueue
from salesos.realtime.events import publish_after_commit

PROGRESS_EVENT = "campaign.progress"


def campaign_or_404(session: Session, campaign_id: uuid.UUID) -> Campaign:
    """The org's campaign, or 404 (also for another org's id)."""
    campaign = CampaignRepository(session).get(campaign_id)
    if campaign is None:
        raise NotFound("Campaign not found")
    return campaign


def prospect_or_404(session: Session, campaign: Campaign, prospect_id: uuid.UUID) -> Prospect:
    """A prospect of *campaign*, or 404."""
    prospect = ProspectRepository(session).get(prospect_id)
    if prospect is None or prospect.campaign_id != campaign.id:
        raise NotFound("Prospect not found")
    return prospect


def publish_progress(session: Session, campaign: Campaign) -> None:
    """Tell the campaign's open pages to refresh, once this transaction commits."""
    publish_after_commit(session, campaign.org_id, PROGRESS_EVENT, {"campaign_id": str(campaign.id)})


def _checked_sources(sources: list[str] | None) -> list[str]:
    settings = get_settings()
    if not sources:
        return providers.default_sources(settings)
    usable = providers.available_sources(settings)
    for source in sources:
        if source not in usable:
            label = providers.SOURCE_LABELS[source]
            raise ValidationFailed(f"{label} needs an API key in the server settings.", field="sources")
    return list(dict.fromkeys(sources))


def _check_business_type(business_type: str, sources: list[str]) -> None:
    # OpenStreetMap searches by tag: a type it has no tag for would refuse the whole run.
    if "osm" in sources and resolve_business_type(business_type) is None:
        raise ValidationFailed(
            f"OpenStreetMap has no category for {business_type!r}; pick one from the list, or search only "
            "sources that take free text (Google Places, Yelp) or your own list.",
            field="business_type",
        )


def create_campaign(session: Session, principal: Principal, data: schemas.CampaignCreateIn) -> Campaign:
    """A new campaign (a draft), started at once when asked."""
    sources = _checked_sources(list(data.sources) if data.sources else None)
    _check_business_type(data.business_type, sources)
    campaign = CampaignRepository(session).add(
        Campaign(
            created_by_id=principal.user_id,
            name=data.name,
            business_type=data.business_type,
            location=data.location,
            radius_km=data.radius_km,
            sources=sources,
            max_prospects=data.max_prospects,
            criteria=data.criteria.model_dump(exclude_none=True),
            scoring=data.scoring.model_dump(),
            auto_send_tiers=data.auto_send_tiers,
            refresh_hours=data.refresh_hours,
            status=CampaignStatus.DRAFT.value,
        )
    )
    if data.start:
        start_run(session, campaign)
    return campaign


def _new_wave(session: Session, campaign: Campaign, counts: Counts) -> None:
    campaign.wave += 1
    campaign.status = CampaignStatus.RUNNING.value
    campaign.error = None
    campaign.retry_at = None
    campaign.done_at_start = counts.enriched + counts.failed
    campaign.run_started_at = utcnow()
    campaign.run_finished_at = None
    publish_progress(session, campaign)


def start_run(session: Session, campaign: Campaign, *, enqueue_jobs: bool = True) -> Campaign:
    """Start a run (the first, or a refresh): discovery, then enrichment of what is new, then scoring.

    *enqueue_jobs* False is for a caller that runs the steps itself (the CLI).
    """
    if campaign.status in (CampaignStatus.RUNNING.value, CampaignStatus.PAUSED.value):
        raise Conflict("This campaign is already running; pause or wait for it to finish first.")
    if "file" in campaign.sources and not campaign.list_path:
        raise ValidationFailed("Upload the list of businesses before starting.", field="file")
    campaign.run_number += 1
    campaign.run_new = 0
    campaign.discovered_at = None
    campaign.next_refresh_at = None
    _new_wave(session, campaign, ProspectRepository(session).counts(campaign.id))
    session.flush()
    if enqueue_jobs:
        enqueue_discovery(session, campaign)
    return campaign


def pause(session: Session, campaign: Campaign) -> Campaign:
    """Stop a running campaign: queued enrichment jobs find it paused and leave their prospects pending."""
    if campaign.status != CampaignStatus.RUNNING.value:
        raise Conflict("Only a running campaign can be paused.")
    campaign.status = CampaignStatus.PAUSED.value
    if campaign.retry_at is not None:
        # Paused while waiting to retry discovery: no attempt is coming, so no error is pending either.
        campaign.retry_at = campaign.error = None
    publish_progress(session, campaign)
    return campaign


def resume(session: Session, campaign: Campaign) -> Campaign:
    """Carry on where the run stopped (paused, or failed): discovery if it had not finished, else the
    pending prospects."""
    if campaign.status not in (CampaignStatus.PAUSED.value, CampaignStatus.FAILED.value):
        raise Conflict("Only a paused or failed campaign can be resumed.")
    _new_wave(session, campaign, ProspectRepository(session).counts(campaign.id))
    session.flush()
    if campaign.discovered_at is None:
        enqueue_discovery(session, campaign)
    else:
        enqueue_enrichment(session, campaign)
    return campaign


def enqueue_discovery(session: Session, campaign: Campaign) -> None:
    """The campaign's discovery job, once per wave (a job of an earlier wave then does nothing)."""
    enqueue(session, "campaigns.discover", dedup_key=f"campaigns.discover:{campaign.id}:{campaign.wave}",
            org_id=campaign.org_id, campaign_id=campaign.id, wave=campaign.wave)  # fmt: skip


def enqueue_enrichment(session: Session, campaign: Campaign) -> int:
    """One enrichment job per pending prospect (once per wave), or the scoring job when none is left."""
    pending = ProspectRepository(session).pending_ids(campaign.id)
    for prospect_id in pending:
        enqueue(session, "campaigns.enrich", dedup_key=f"campaigns.enrich:{prospect_id}:{campaign.wave}",
                org_id=campaign.org_id, campaign_id=campaign.id, prospect_id=prospect_id)  # fmt: skip
    if not pending:
        enqueue_scoring(session, campaign)
    return len(pending)


def enqueue_scoring(session: Session, campaign: Campaign) -> None:
    """The campaign's scoring job, once per wave (it also completes the run)."""
    enqueue(session, "campaigns.score", dedup_key=f"campaigns.score:{campaign.id}:{campaign.wave}",
            org_id=campaign.org_id, campaign_id=campaign.id)  # fmt: skip


def update_campaign(session: Session, campaign: Campaign, changes: dict[str, Any]) -> Campaign:
    """Apply *changes*; new weights, thresholds or criteria rescore every prospect found so far."""
    rescore = False
    for key, value in changes.items():
        if key in ("criteria", "scoring"):
            value = dict(value or {})
            rescore = rescore or value != getattr(campaign, key)
        setattr(campaign, key, value)
    if "refresh_hours" in changes and campaign.status == CampaignStatus.COMPLETED.value:
        campaign.next_refresh_at = _next_refresh(campaign, utcnow())
    session.flush()
    if rescore:
        # No dedup key: scoring is idempotent, and the newest settings must be the ones applied last.
        enqueue(session, "campaigns.score", org_id=campaign.org_id, campaign_id=campaign.id)
    publish_progress(session, campaign)
    return campaign


def delete_campaign(session: Session, campaign: Campaign) -> None:
    """Delete the campaign, its prospects and its list; leads already sent to the board stay."""
    CampaignRepository(session).delete(campaign)
    if campaign.list_path:
        # After commit: a rolled-back delete keeps its list.
        on_commit(session, partial(lists.remove_list, campaign.list_path))
    publish_progress(session, campaign)


def _next_refresh(campaign: Campaign, now: datetime) -> datetime | None:
    return now + timedelta(hours=campaign.refresh_hours) if campaign.refresh_hours else None


def refresh_counters(session: Session, campaign: Campaign) -> Counts:
    """Recount the campaign's counters from its prospects (exact after any crash or repeat)."""
    counts = ProspectRepository(session).counts(campaign.id)
    campaign.found = counts.found
    campaign.enriched = counts.enriched
    campaign.failed = counts.failed
    campaign.qualified = counts.qualified
    return counts


def complete(session: Session, campaign: Campaign, now: datetime) -> None:
    """Mark the run finished and schedule the next refresh."""
    campaign.status = CampaignStatus.COMPLETED.value
    campaign.run_finished_at = now
    campaign.next_refresh_at = _next_refresh(campaign, now)


@dataclass(frozen=True)
class ProgressView:
    """Derived progress figures for the UI and API."""

    percent: int
    prospects_per_minute: float | None
    eta_seconds: int | None


def progress_view(campaign: Campaign, now: datetime | None = None) -> ProgressView:
    """Percent of found prospects enriched, the rate of this run, and the time left at that rate."""
    if campaign.status == CampaignStatus.COMPLETED.value:
        return ProgressView(100, None, None)
    if campaign.discovered_at is None or campaign.found == 0:
        return ProgressView(0, None, None)
    finished = campaign.enriched + campaign.failed
    percent = min(100, finished * 100 // campaign.found)
    done_now = finished - campaign.done_at_start
    if campaign.status != CampaignStatus.RUNNING.value or not campaign.run_started_at or done_now <= 0:
        return ProgressView(percent, None, None)
    elapsed = max(((now or utcnow()) - campaign.run_started_at).total_seconds(), 1.0)
    per_second = done_now / elapsed
    eta = round((campaign.found - finished) / per_second)
    return ProgressView(percent, round(per_second * 60, 1), eta)
