"""The campaign pipeline against loopback fakes: discovery → enrichment → scoring, idempotent and exact."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from salesos.auth.principal import Principal
from salesos.campaigns.models import Campaign, Prospect, ProspectSource
from salesos.campaigns.schemas import CampaignCreateIn
from salesos.campaigns.service import campaigns as campaign_service
from salesos.campaigns.service import discovery, enrichment, runs
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.integrations.models import ApiUsage
from salesos.integrations.search import osm
from salesos.jobs.models import OutboxJob
from salesos.jobs.testing import drain
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.integrations.llm.fake_openai import FakeOpenAI
from tests.integrations.search.fake_http import serve


def start(world, **fields) -> uuid.UUID:
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    data = CampaignCreateIn(name="Austin dentists", business_type="dentists", location="Austin, TX", **fields)
    with unit_of_work(org_id=world.alice.org_id) as session:
        return campaign_service.create_campaign(session, principal, data).id


def campaign(world, campaign_id: uuid.UUID) -> Campaign:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        found = session.get(Campaign, campaign_id)
        assert found is not None
        session.expunge(found)
        return found


def prospects(world, campaign_id: uuid.UUID) -> list[Prospect]:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        rows = session.scalars(select(Prospect).where(Prospect.campaign_id == campaign_id)).all()
        session.expunge_all()
        return list(rows)


def usage(world) -> dict[str, int]:
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        rows = session.execute(select(ApiUsage.kind, func.sum(ApiUsage.units)).group_by(ApiUsage.kind)).all()
        return {kind: int(units) for kind, units in rows}


@both_databases
def test_a_campaign_finds_enriches_and_tiers_the_dentists(prospecting, world, fakes):
    campaign_id = start(world)
    drain(max_rounds=10)

    done = campaign(world, campaign_id)
    assert (done.status, done.found, done.enriched, done.failed) == ("completed", 5, 5, 0)
    assert done.run_finished_at is not None and done.next_refresh_at is not None
    found = {p.name: p for p in prospects(world, campaign_id)}
    assert len(found) == 5
    bright = found["Bright Smiles Dental"]
    assert bright.enrichment_status == "done" and bright.tier == "A", bright.tier_reason
    assert bright.tier_reason and bright.tier_reason.startswith("A (")
    assert "website opportunity" in bright.tier_reason
    assert {f["key"] for f in bright.score_breakdown} == {"website", "reviews", "contact", "timing"}
    reviews = next(f for f in bright.score_breakdown if f["key"] == "reviews")
    assert reviews["value"] is None and reviews["weight"] == 0  # OpenStreetMap has no reviews
    assert bright.audit["reachable"] and not bright.audit["https"] and bright.audit["copyright_year"] == 2015
    assert any(t["name"] == "jQuery" for t in bright.audit["technologies"])
    assert bright.analysis["pain_points"], bright.analysis
    assert all(p["source_url"].startswith("http") for p in bright.analysis["pain_points"])
    emails = {c.get("email") for c in bright.contacts}
    assert {"jane@bright-smiles-dental-atx.com", "info@bright-smiles-dental-atx.com"} <= emails
    modern = [p for name, p in found.items() if name != "Bright Smiles Dental"]
    assert all(p.tier != "A" and (p.website_score or 0) > (bright.website_score or 0) for p in modern)
    assert done.qualified == sum(p.qualified for p in found.values())
    # One credit per enriched prospect; the directory calls are metered too.
    metered = usage(world)
    assert metered["lead_credit"] == 5 and metered.get("search", 0) >= 2, metered


@both_databases
def test_repeating_every_step_changes_nothing(prospecting, world, fakes):
    campaign_id = start(world)
    drain(max_rounds=10)
    before = [(p.id, p.score, p.enriched_at) for p in prospects(world, campaign_id)]
    org = world.alice.org_id
    # A completed campaign is not running: a stray discovery or enrichment job is a no-op.
    assert discovery.discover(org, campaign_id) is None
    assert all(enrichment.enrich(org, campaign_id, pid) is None for pid, _, _ in before)
    assert [(p.id, p.score, p.enriched_at) for p in prospects(world, campaign_id)] == before
    assert usage(world)["lead_credit"] == 5


def test_a_refresh_reports_only_what_is_new(prospecting, world, fakes):
    campaign_id = start(world)
    drain(max_rounds=10)
    newcomer = fakes.add_practice()
    osm.ELEMENTS_CACHE.clear()  # as if the refresh came hours later, past the search-result cache
    with unit_of_work(org_id=world.alice.org_id) as session:
        campaign_service.start_run(session, campaign_service.campaign_or_404(session, campaign_id))
    drain(max_rounds=10)
    after = campaign(world, campaign_id)
    assert (after.run_number, after.run_new, after.found, after.enriched) == (2, 1, 6, 6)
    fresh = [p for p in prospects(world, campaign_id) if p.found_in_run == 2]
    assert [p.name for p in fresh] == [newcomer.name]
    assert usage(world)["lead_credit"] == 6
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        keys = session.execute(select(ProspectSource.source, ProspectSource.source_id)).all()
    assert len(keys) == len(set(keys)) == 6


def test_a_rate_limited_and_flaky_directory_loses_nothing(prospecting, world, fakes, monkeypatch):
    # Within the adapter's own retries: a 429 with Retry-After, then a 503, then the answer.
    fakes.overpass.fail_next(429, "rate limited", headers={"Retry-After": "1"})
    fakes.overpass.fail_next(503, "busy")
    campaign_id = start(world)
    drain(max_rounds=10)
    done = campaign(world, campaign_id)
    assert (done.status, done.found, done.enriched) == ("completed", 5, 5)
    assert [r.at for r in fakes.overpass.requests][2] - fakes.overpass.requests[0].at >= 1.0


def test_an_outage_longer_than_the_retries_is_retried_by_the_queue(prospecting, world, fakes):
    fakes.overpass.fail_next(503, "down for maintenance", times=4)  # every attempt of the first run
    campaign_id = start(world)
    drain(max_rounds=3, raise_errors=False, now=utcnow())
    assert (campaign(world, campaign_id).status, campaign(world, campaign_id).found) == ("running", 0)
    # Past the job's backoff, the queue's retry finds the directory back.
    drain(max_rounds=10, now=utcnow() + timedelta(minutes=10))
    done = campaign(world, campaign_id)
    assert (done.status, done.found, done.enriched) == ("completed", 5, 5)
    with unit_of_work(write=False) as session:
        job = session.scalars(select(OutboxJob).where(OutboxJob.name == "campaigns.discover")).one()
    assert (job.status, job.attempts) == ("done", 2)


def test_a_refused_analyst_fails_the_prospect_with_its_reason(prospecting, world, fakes, monkeypatch):
    with serve(FakeOpenAI()) as model:
        monkeypatch.setenv("SALESOS_LLM_PROVIDER", "openai")
        monkeypatch.setenv("SALESOS_LLM_BASE_URL", model.origin + "/v1")
        monkeypatch.setenv("SALESOS_LLM_API_KEY", "sk-wrong")
        get_settings.cache_clear()
        campaign_id = start(world)
        drain(max_rounds=10)
    done = campaign(world, campaign_id)
    assert (done.status, done.enriched, done.failed) == ("completed", 0, 5)
    failed = prospects(world, campaign_id)
    assert all("Incorrect API key" in (p.failure_reason or "") for p in failed)
    assert all(p.audit.get("reachable") and p.tier for p in failed)  # the audit is kept and scored
    assert "lead_credit" not in usage(world)


@both_databases
def test_the_refresh_tick_starts_due_campaigns_only(prospecting, world, fakes):
    due_id, later_id = start(world), start(world, refresh_hours=24)
    off_id = start(world, refresh_hours=None)
    drain(max_rounds=10)
    assert campaign(world, off_id).next_refresh_at is None
    with unit_of_work() as session:
        # Seven hours on: the 6-hourly campaign is due, the daily one is not, the third never refreshes.
        assert runs.refresh_due(session, utcnow() + timedelta(hours=7)) == 1
    assert (campaign(world, due_id).status, campaign(world, due_id).run_number) == ("running", 2)
    assert campaign(world, later_id).status == campaign(world, off_id).status == "completed"
