"""Discovery: ask each source of the campaign, merge what several sources found, store new prospects.

A source's permanent refusal (bad key, bad request) pauses the campaign with the reason; a passing failure
(429, 5xx, timeouts, after the adapter's own retries) raises so the job is retried with backoff. The job's
failure hook (record_failure) shows each failed attempt on the campaign: retrying, with the error and the
time of the next attempt; once the retries run out, failed with the error, until someone resumes it.
Storing is idempotent: a (source, source id) seen before, or the same website domain or phone, updates
the prospect it belongs to instead of adding one, so a retried or refreshed run never duplicates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from salesos.campaigns.models import Campaign, CampaignStatus, Prospect, ProspectSource
from salesos.campaigns.repository import CampaignRepository, ProspectRepository, ProspectSourceRepository
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import providers
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.integrations.base import ProviderError
from salesos.integrations.search import DedupedPlace, Place, SearchQuery, dedupe
from salesos.leads.service.leads import org_region

# Fields a later sighting may fill in or refresh (ratings change; names and addresses rarely do).
LISTING_FIELDS = ("website", "domain", "phone", "street", "city", "region", "postcode", "country",
                  "lat", "lon", "category")  # fmt: skip
# The services behind a source, as errors name them.
SERVICE_SOURCES = {"nominatim": "osm", "overpass": "osm"}
LISTING_URLS = {
    "osm": "https://www.openstreetmap.org/{id}",
    "google_places": "https://www.google.com/maps/place/?q=place_id:{id}",
    "yelp": "https://www.yelp.com/biz/{id}",
}


@dataclass(frozen=True)
class DiscoveryResult:
    """What one discovery pass stored."""

    found: int
    new: int
    pending: int


def listing_url(source: str, source_id: str) -> str | None:
    """The public page of a listing: where the facts the analysis cites come from."""
    template = LISTING_URLS.get(source)
    return template.format(id=source_id) if template else None


def _search(campaign: Campaign, meter: providers.Meter, region: str) -> list[DedupedPlace]:
    settings = get_settings()
    query = SearchQuery(
        business_type=campaign.business_type,
        location=campaign.location,
        radius_m=campaign.radius_km * 1000 if campaign.radius_km else None,
    )
    places: list[Place] = []
    chosen = providers.search_providers(settings, campaign.sources, meter, list_path=campaign.list_path,
                                        region=region)  # fmt: skip
    for provider in chosen:
        places.extend(provider.iter_places(query, limit=campaign.max_prospects))
    return dedupe(places)


def readable_category(category: str | None) -> str | None:
    """ "amenity=dentist" (an OSM tag) → "dentist"; other sources' categories are already words."""
    if not category:
        return None
    return category.rpartition("=")[2].replace("_", " ").strip() or None


def _new_prospect(campaign: Campaign, found: DedupedPlace) -> Prospect:
    place = found.place
    first = found.members[0]
    prospect = Prospect(
        campaign_id=campaign.id,
        found_in_run=campaign.run_number,
        name=place.name[:200],
        source_url=listing_url(first.source, first.source_id),
        rating=place.rating,
        review_count=place.review_count,
        **{name: getattr(place, name) for name in LISTING_FIELDS},
    )
    prospect.category = readable_category(place.category)
    return prospect


def _refresh_listing(prospect: Prospect, place: Place) -> None:
    for name in LISTING_FIELDS:
        if getattr(prospect, name) is None and getattr(place, name) is not None:
            value = getattr(place, name)
            setattr(prospect, name, readable_category(value) if name == "category" else value)
    if place.review_count is not None:
        prospect.rating, prospect.review_count = place.rating, place.review_count


@dataclass
class _Index:
    """The campaign's prospects by id, website domain and phone: one load, then lookups in memory."""

    by_id: dict[uuid.UUID, Prospect]
    by_key: dict[str, Prospect]

    @classmethod
    def load(cls, repository: ProspectRepository, campaign_id: uuid.UUID) -> _Index:
        index = cls({}, {})
        for prospect in repository.all_in(campaign_id):
            index.add(prospect)
        return index

    def add(self, prospect: Prospect) -> None:
        self.by_id[prospect.id] = prospect
        for key in (f"domain:{prospect.domain}" if prospect.domain else None,
                    f"phone:{prospect.phone}" if prospect.phone else None):  # fmt: skip
            if key:
                self.by_key.setdefault(key, prospect)

    def same_business(self, place: Place) -> Prospect | None:
        """The prospect with this place's website domain, else its phone."""
        for key in (f"domain:{place.domain}", f"phone:{place.phone}"):
            if key in self.by_key:
                return self.by_key[key]
        return None


def store_places(session: Session, campaign: Campaign, places: list[DedupedPlace]) -> int:
    """Add the places the campaign has not seen (up to its cap per run); returns how many were new."""
    prospects = ProspectRepository(session)
    sources = ProspectSourceRepository(session)
    known = sources.known(campaign.id)
    index = _Index.load(prospects, campaign.id)
    new = 0
    for found in places:
        ids = [known[key] for key in found.sources if key in known]
        prospect = index.by_id.get(ids[0]) if ids else index.same_business(found.place)
        if prospect is None:
            if new >= campaign.max_prospects:
                continue
            prospect = prospects.add(_new_prospect(campaign, found))
            index.add(prospect)
            new += 1
        else:
            _refresh_listing(prospect, found.place)
        for source, source_id in found.sources:
            if (source, source_id) not in known:
                sources.add(ProspectSource(campaign_id=campaign.id, prospect_id=prospect.id,
                                           source=source, source_id=source_id))  # fmt: skip
                known[(source, source_id)] = prospect.id
    session.flush()
    return new


def _current(campaign: Campaign, wave: int | None) -> bool:
    # A job of an earlier wave (paused, then resumed) leaves the work to the job of the current one.
    return campaign.status == CampaignStatus.RUNNING.value and wave in (None, campaign.wave)


def failure_message(exc: BaseException | None) -> str:
    """What the campaign shows for a failed discovery attempt (no internals beyond a provider's words)."""
    if isinstance(exc, ProviderError):
        source = SERVICE_SOURCES.get(exc.provider, exc.provider)
        return f"{providers.SOURCE_LABELS.get(source, source or 'A directory')}: {exc}"
    if exc is None:
        return "The worker searching the directories stopped before it finished."
    return "Searching the directories failed unexpectedly; the server log has the details."


def discover(
    org_id: uuid.UUID,
    campaign_id: uuid.UUID,
    *,
    wave: int | None = None,
    enqueue_enrichment: bool = True,
) -> DiscoveryResult | None:
    """Run the campaign's searches and store the results; None when the campaign (wave) is not running."""
    with unit_of_work(write=False, org_id=org_id) as session:
        campaign = CampaignRepository(session).get(campaign_id)
        if campaign is None or not _current(campaign, wave):
            return None
        region = org_region(session)
        session.expunge(campaign)
    meter = providers.Meter()
    try:
        places = _search(campaign, meter, region)
        refusal = None
    except ProviderError as exc:
        if not exc.permanent:
            # The calls made before the failure are metered all the same; the job's retry takes it from
            # here, and its failure hook (record_failure) shows the attempt on the campaign.
            with unit_of_work(org_id=org_id) as session:
                meter.record(session)
            raise
        places, refusal = [], failure_message(exc)
    with unit_of_work(org_id=org_id) as session:
        meter.record(session)
        locked = CampaignRepository(session).locked(campaign_id)
        if locked is None or not _current(locked, wave):
            return None
        locked.retry_at = None
        if refusal:
            locked.status = CampaignStatus.PAUSED.value
            locked.error = refusal
            campaign_service.refresh_counters(session, locked)
            campaign_service.publish_progress(session, locked)
            return DiscoveryResult(0, 0, 0)
        new = store_places(session, locked, places)
        locked.discovered_at = utcnow()
        locked.error = None  # a passing failure it retried after is over
        locked.run_new = new
        counts = campaign_service.refresh_counters(session, locked)
        if enqueue_enrichment:
            campaign_service.enqueue_enrichment(session, locked)
        campaign_service.publish_progress(session, locked)
        return DiscoveryResult(len(places), new, counts.pending)


def record_failure(
    session: Session, campaign_id: uuid.UUID, *, wave: int | None, message: str, retry_at: datetime | None
) -> bool:
    """Show a failed discovery attempt: retrying at *retry_at* with *message*, or failed when it is None.

    Only a running campaign still searching (in the same wave) changes; False when there is none.
    """
    campaign = CampaignRepository(session).locked(campaign_id)
    if campaign is None or not _current(campaign, wave) or campaign.discovered_at is not None:
        return False
    campaign.error = message
    campaign.retry_at = retry_at
    if retry_at is None:
        campaign.status = CampaignStatus.FAILED.value
        campaign_service.refresh_counters(session, campaign)
    campaign_service.publish_progress(session, campaign)
    return True
