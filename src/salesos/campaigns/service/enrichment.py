"""Enrichment of one prospect: website audit, contacts, email verification, analysis, then its score.

The slow part (HTTP) runs outside any transaction; the results, the credit charged and every provider
call's usage are written in one transaction that first checks the prospect is still pending, so a
retried or duplicated job stores and charges once. A provider's permanent refusal marks the prospect
failed with the reason (its listing facts are still scored); a passing failure raises for a retry.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog

from salesos.campaigns.models import Campaign, CampaignStatus, EnrichmentStatus, Prospect
from salesos.campaigns.repository import CampaignRepository, ProspectRepository
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import credits as credit_rules
from salesos.campaigns.service import providers, scoring
from salesos.campaigns.service.contacts import find_contacts
from salesos.campaigns.service.facts import analysis_facts, audit_json
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.integrations.base import ProviderError
from salesos.integrations.enrich import WebsiteAudit
from salesos.leads.service.leads import org_region

log = structlog.get_logger(__name__)


@dataclass
class Enriched:
    """What the slow part found, ready to store."""

    audit: dict[str, Any]
    website_score: int | None
    contacts: list[dict[str, Any]]
    analysis: dict[str, Any]
    failure: str | None = None


async def _audit(url: str, region: str) -> WebsiteAudit:
    async with providers.website_auditor(get_settings(), region) as auditor:
        return await auditor.audit(url)


def _analysis_json(
    prospect: Prospect, audit: dict[str, Any] | None, meter: providers.Meter
) -> dict[str, Any]:
    analysis = providers.llm_provider(get_settings(), meter).analyse(
        analysis_facts(prospect, audit, date.today())
    )
    return {
        "summary": analysis.summary,
        "pain_points": [{"text": f.text, "source_url": f.source_url} for f in analysis.pain_points],
        "hooks": [{"text": f.text, "source_url": f.source_url} for f in analysis.hooks],
        "provider": analysis.provider,
    }


def gather(prospect: Prospect, region: str, meter: providers.Meter) -> Enriched:
    """Audit the site, find and verify contacts, analyse; never writes."""
    settings = get_settings()
    audit = asyncio.run(_audit(prospect.website, region)) if prospect.website else None
    stored = audit_json(audit) if audit else {}
    enriched = Enriched(stored, audit.score.score if audit and audit.score else None, [], {})
    try:
        verifier = providers.email_verifier(settings)
        enriched.contacts = find_contacts(settings, audit, prospect.domain, verifier, meter)
        enriched.analysis = _analysis_json(prospect, stored or None, meter)
    except ProviderError as exc:
        if not exc.permanent:
            raise
        enriched.failure = f"{exc.provider or 'provider'}: {exc}"
    return enriched


def score_inputs(prospect: Prospect) -> scoring.ScoreInputs:
    """The facts the scorer reads, from a prospect as stored."""
    audit = prospect.audit or {}
    return scoring.ScoreInputs(
        website_score=prospect.website_score if prospect.website else None,
        reachable=bool(audit.get("reachable")),
        rating=prospect.rating,
        review_count=prospect.review_count,
        contacts=prospect.contacts or [],
        has_phone=bool(prospect.phone or audit.get("phones")),
        copyright_year=audit.get("copyright_year"),
        hiring=bool(audit.get("hiring")),
        category=prospect.category,
    )


def apply_score(campaign: Campaign, prospect: Prospect) -> None:
    """(Re)compute the prospect's score, tier, reason and breakdown from its current facts."""
    result = scoring.score_prospect(
        score_inputs(prospect),
        scoring.ScoringConfig.from_json(campaign.scoring),
        scoring.Criteria.from_json(campaign.criteria),
    )
    prospect.score = result.score
    prospect.tier = result.tier
    prospect.tier_reason = result.tier_reason[:500]
    prospect.score_breakdown = [f.as_dict() for f in result.breakdown]
    prospect.qualified = result.qualified
    prospect.scored_at = utcnow()


def _store(prospect: Prospect, enriched: Enriched) -> None:
    prospect.audit = enriched.audit
    prospect.website_score = enriched.website_score
    prospect.contacts = enriched.contacts
    prospect.analysis = enriched.analysis
    prospect.enriched_at = utcnow()
    if enriched.failure:
        prospect.enrichment_status = EnrichmentStatus.FAILED.value
        prospect.failure_reason = enriched.failure[:1000]
    else:
        prospect.enrichment_status = EnrichmentStatus.DONE.value
        prospect.failure_reason = None


def _load(org_id: uuid.UUID, campaign_id: uuid.UUID, prospect_id: uuid.UUID) -> tuple[Prospect, str] | None:
    with unit_of_work(write=False, org_id=org_id) as session:
        campaign = CampaignRepository(session).get(campaign_id)
        prospect = ProspectRepository(session).get(prospect_id)
        if campaign is None or prospect is None or campaign.status != CampaignStatus.RUNNING.value:
            return None
        if prospect.enrichment_status != EnrichmentStatus.PENDING.value:
            return None
        region = (prospect.country or org_region(session))[:2].upper()
        session.expunge(prospect)
        return prospect, region


def _out_of_credits(org_id: uuid.UUID, campaign_id: uuid.UUID) -> bool:
    """Pause the campaign with the reason when this month's credits are spent."""
    # Read first: only the rare exhausted case needs a write (on SQLite, the database's one writer).
    with unit_of_work(write=False, org_id=org_id) as session:
        if credit_rules.credits(session, utcnow()).left > 0:
            return False
    with unit_of_work(org_id=org_id) as session:
        balance = credit_rules.credits(session, utcnow())
        campaign = CampaignRepository(session).locked(campaign_id)
        if campaign is not None and campaign.status == CampaignStatus.RUNNING.value:
            campaign.status = CampaignStatus.PAUSED.value
            campaign.error = balance.exhausted_message
            campaign_service.publish_progress(session, campaign)
        return True


def enrich(org_id: uuid.UUID, campaign_id: uuid.UUID, prospect_id: uuid.UUID) -> str | None:
    """Enrich and score one prospect; returns its new status, or None when there was nothing to do."""
    loaded = _load(org_id, campaign_id, prospect_id)
    if loaded is None or _out_of_credits(org_id, campaign_id):
        return None
    prospect, region = loaded
    meter = providers.Meter()
    enriched = gather(prospect, region, meter)
    with unit_of_work(org_id=org_id) as session:
        campaign = CampaignRepository(session).locked(campaign_id)
        stored = ProspectRepository(session).get(prospect_id)
        if campaign is None or stored is None or stored.enrichment_status != EnrichmentStatus.PENDING.value:
            return None  # a parallel run stored it first (or it was deleted): charge nothing
        meter.record(session)
        if enriched.failure is None:
            # A credit pays for an enriched lead; a prospect a provider refused costs none.
            credit_rules.spend(session, provider="campaigns")
        _store(stored, enriched)
        apply_score(campaign, stored)
        session.flush()
        counts = campaign_service.refresh_counters(session, campaign)
        if counts.pending == 0 and campaign.status == CampaignStatus.RUNNING.value:
            campaign_service.enqueue_scoring(session, campaign)
        campaign_service.publish_progress(session, campaign)
        return stored.enrichment_status
