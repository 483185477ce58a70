"""Background work of the campaigns domain: discovery → one enrichment per prospect → scoring."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesos.campaigns.service import discovery, enrichment, runs
from salesos.db.base import utcnow
from salesos.jobs import JobFailure, job, periodic

REFRESH_TICK_SECONDS = 60


def discovery_failed(
    session: Session, failure: JobFailure, *, campaign_id: uuid.UUID, wave: int | None = None, **_: Any
) -> None:
    """Show the failed attempt on the campaign: retrying (error, next attempt), or failed once dead."""
    message = discovery.failure_message(failure.exception)
    discovery.record_failure(session, campaign_id, wave=wave, message=message, retry_at=failure.retry_at)


@job("campaigns.discover", on_failure=discovery_failed)
def discover(session: Session, *, org_id: uuid.UUID, campaign_id: uuid.UUID, wave: int | None = None) -> None:
    """Search the campaign's sources and store new prospects; a rerun finds them stored and adds none."""
    # The provider calls run outside any transaction; the results commit in discovery's own unit of
    # work, so this job's session stays unused (no SQLite write lock held through slow HTTP).
    # wave: None in jobs enqueued before it was part of the payload.
    discovery.discover(org_id, campaign_id, wave=wave)


@job("campaigns.enrich")
def enrich(session: Session, *, org_id: uuid.UUID, campaign_id: uuid.UUID, prospect_id: uuid.UUID) -> None:
    """Audit, find contacts, verify, analyse and score one prospect; a finished prospect is a no-op."""
    enrichment.enrich(org_id, campaign_id, prospect_id)


@job("campaigns.score")
def score(session: Session, *, org_id: uuid.UUID, campaign_id: uuid.UUID) -> None:
    """Rescore the campaign's prospects and complete the run once nothing is pending."""
    runs.score_campaign(session, campaign_id, utcnow())


@periodic("campaigns.refresh_due", REFRESH_TICK_SECONDS)
def refresh_due(session: Session) -> None:
    """Start the refresh run of every campaign whose next refresh time has passed."""
    runs.refresh_due(session, utcnow())
