"""A worker SIGKILLed mid-campaign: a fresh worker finishes the run, with no duplicate prospect, no credit
charged twice, and counters equal to what the prospects table says."""

from __future__ import annotations

import signal
import uuid

import pytest
from sqlalchemy import func, select

from salesos.auth.principal import Principal
from salesos.campaigns.models import Campaign, Prospect, ProspectSource
from salesos.campaigns.schemas import CampaignCreateIn
from salesos.campaigns.service import campaigns as campaign_service
from salesos.config import get_settings
from salesos.db.session import unit_of_work
from salesos.integrations.models import ApiUsage
from salesos.orgs.models import Role
from tests.campaigns.fakes import prospecting_world
from tests.jobs.conftest import jobs_env, spawn_worker, wait_for  # noqa: F401  (fixtures used by name)
from tests.support.world import build_world

PRACTICES = 8


def _campaign(org_id: uuid.UUID, campaign_id: uuid.UUID) -> Campaign:
    with unit_of_work(write=False, org_id=org_id) as session:
        found = session.get(Campaign, campaign_id)
        assert found is not None
        session.expunge(found)
        return found


def _count(org_id: uuid.UUID, stmt) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=org_id) as session:
        return int(session.scalar(stmt) or 0)


def test_killed_worker_mid_campaign_resumes_exactly(jobs_env, spawn_worker, monkeypatch):  # noqa: F811
    # Every page answers after 0.3 s, so each audit takes about a second: the kill lands mid-run.
    with prospecting_world(PRACTICES, delay=0.3) as fakes:
        for key, value in fakes.settings_env.items():
            monkeypatch.setenv(f"SALESOS_{key.upper()}", value)
        get_settings.cache_clear()
        world = build_world()
        org = world.alice.org_id
        principal = Principal(org_id=org, role=Role.OWNER, kind="token", user_id=world.alice.user_id)
        data = CampaignCreateIn(name="Austin dentists", business_type="dentists", location="Austin, TX")
        with unit_of_work(org_id=org) as session:
            campaign_id = campaign_service.create_campaign(session, principal, data).id

        short_lock = {"job_timeout_seconds": "3"}
        first = spawn_worker("killed", periodic=False, **short_lock)
        first.wait_started()
        wait_for(lambda: _campaign(org, campaign_id).enriched >= 2, timeout=60)
        assert first.kill() == -signal.SIGKILL
        mid = _campaign(org, campaign_id)
        if mid.status == "completed":
            pytest.fail("the campaign finished before the kill; make the fake sites slower")
        assert mid.found == PRACTICES and mid.enriched < PRACTICES

        spawn_worker("fresh", periodic=True, job_sweep_seconds="1", job_stale_seconds="1", **short_lock)
        wait_for(lambda: _campaign(org, campaign_id).status == "completed", timeout=90)

    done = _campaign(org, campaign_id)
    in_campaign = Prospect.campaign_id == campaign_id
    assert (done.found, done.enriched, done.failed) == (PRACTICES, PRACTICES, 0)
    assert _count(org, select(func.count()).select_from(Prospect).where(in_campaign)) == PRACTICES
    names = _count(org, select(func.count(func.distinct(Prospect.name))).where(in_campaign))
    assert names == PRACTICES
    sources = (
        select(func.count()).select_from(ProspectSource).where(ProspectSource.campaign_id == campaign_id)
    )
    assert _count(org, sources) == PRACTICES
    done_rows = (
        select(func.count()).select_from(Prospect).where(in_campaign, Prospect.enrichment_status == "done")
    )
    assert _count(org, done_rows) == PRACTICES
    # A credit per prospect, never two: the charge commits with the enrichment it pays for.
    credits = select(func.sum(ApiUsage.units)).where(ApiUsage.kind == "lead_credit")
    assert _count(org, credits) == PRACTICES
    qualified = select(func.count()).select_from(Prospect).where(in_campaign, Prospect.qualified.is_(True))
    assert done.qualified == _count(org, qualified)
