"""The end of a run: score every finished prospect, send the chosen tiers to the board, complete; and
the refresh tick that starts the next run of campaigns whose time has come."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.campaigns.models import CampaignStatus
from salesos.campaigns.repository import CampaignRepository, ProspectRepository
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import handoff
from salesos.campaigns.service.enrichment import apply_score
from salesos.db.session import set_tenant
from salesos.orgs.models import Role
from salesos.orgs.repository import OrganizationRepository

AUTO_TIERS = {"A": ("A",), "AB": ("A", "B")}


def score_campaign(session: Session, campaign_id: uuid.UUID, now: datetime) -> bool:
    """Rescore the campaign's prospects; complete the run when none is pending. False if it is gone."""
    campaign = CampaignRepository(session).locked(campaign_id)
    if campaign is None:
        return False
    prospects = ProspectRepository(session)
    for prospect in prospects.for_scoring(campaign.id):
        apply_score(campaign, prospect)
    session.flush()
    counts = campaign_service.refresh_counters(session, campaign)
    if counts.pending == 0 and campaign.status == CampaignStatus.RUNNING.value:
        if campaign.auto_send_tiers:
            # Sent as the campaign's creator, so the leads' history names a person.
            principal = Principal(org_id=campaign.org_id, role=Role.MEMBER, kind="api_key",
                                  user_id=campaign.created_by_id)  # fmt: skip
            handoff.send_chosen(
                session, principal, campaign, ids=None, tiers=AUTO_TIERS[campaign.auto_send_tiers]
            )
        campaign_service.complete(session, campaign, now)
    campaign_service.publish_progress(session, campaign)
    return True


def refresh_due(session: Session, now: datetime) -> int:
    """Start the next run of every completed campaign whose refresh time has come; how many started."""
    started = 0
    for org_id in OrganizationRepository(session).all_ids():
        set_tenant(session, org_id)
        campaigns = CampaignRepository(session)
        for campaign_id in campaigns.due_for_refresh(now):
            campaign = campaigns.locked(campaign_id)
            if campaign is not None and campaign.status == CampaignStatus.COMPLETED.value:
                campaign_service.start_run(session, campaign)
                started += 1
    set_tenant(session, None)
    return started
