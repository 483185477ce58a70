"""A directory that keeps failing: the campaign shows it is retrying (error, next attempt), ends failed with
the error once the queue's retries run out, and Retry carries on; a directory that recovers loses nothing
and duplicates nothing. Real HTTP against the loopback OpenStreetMap fakes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from salesos.campaigns.api import campaign_out
from salesos.campaigns.models import Prospect, ProspectSource
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.integrations.models import ApiUsage
from salesos.integrations.search import osm
from salesos.jobs.models import OutboxJob
from salesos.jobs.testing import drain
from tests.campaigns.test_pipeline import campaign, prospects, start
from tests.conftest import both_databases
from tests.web.test_board import browser, sign_in  # noqa: F401


@pytest.fixture
def one_try_per_job(prospecting, monkeypatch):  # type: ignore[no-untyped-def]
    """The adapter's own retries off: each job attempt is one Overpass request, so failures count runs."""
    monkeypatch.setenv("SALESOS_PROVIDER_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    osm.ELEMENTS_CACHE.clear()
    yield get_settings()
    get_settings.cache_clear()


def _attempt(moment: datetime) -> datetime:
    """Run the due jobs as of *moment* (past any backoff so far); the next moment, an hour on."""
    drain(max_rounds=10, now=moment, raise_errors=False)
    return moment + timedelta(hours=1)


def _discovery_job() -> OutboxJob:
    with unit_of_work(write=False) as session:
        return session.scalars(select(OutboxJob).where(OutboxJob.name == "campaigns.discover")).one()


def _count(world, stmt) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        return int(session.scalar(stmt) or 0)


@both_databases
def test_a_directory_failing_every_time_ends_failed_with_its_error(
    one_try_per_job,
    world,
    fakes,
    client,
    browser,  # noqa: F811
):
    fakes.overpass.fail_next(503, "down for maintenance", times=1000)
    campaign_id = start(world)
    b = browser()
    token = sign_in(b, world.alice)
    max_attempts = get_settings().job_max_attempts

    moment = _attempt(utcnow())
    retrying = campaign(world, campaign_id)
    assert (retrying.status, retrying.found) == ("running", 0)
    assert retrying.error and retrying.error.startswith("OpenStreetMap: ") and "503" in retrying.error
    assert retrying.retry_at == _discovery_job().run_at and retrying.retry_at > moment - timedelta(hours=1)
    page = b.get(f"/campaigns/{campaign_id}").text
    assert 'data-testid="campaign-retrying"' in page and "down for maintenance" in page
    assert f"next attempt at {retrying.retry_at.strftime('%H:%M:%S')} UTC" in page
    assert "retrying after an error" in page and "every 2s" in page  # still live

    for _ in range(max_attempts - 1):
        moment = _attempt(moment)
    job = _discovery_job()
    assert (job.status, job.attempts) == ("dead", max_attempts)
    assert len(fakes.overpass.requests) == max_attempts
    failed = campaign(world, campaign_id)
    assert (failed.status, failed.retry_at, failed.discovered_at) == ("failed", None, None)
    assert failed.error and "down for maintenance" in failed.error
    # The calls that went through in a failed attempt (the geocoding) are metered all the same.
    searches = select(func.count()).select_from(ApiUsage).where(ApiUsage.kind == "search")
    assert _count(world, searches) >= 1

    page = b.get(f"/campaigns/{campaign_id}").text
    assert 'data-testid="status">failed</span>' in page and 'data-testid="campaign-error"' in page
    assert "down for maintenance" in page and ">Retry</button>" in page and "every 2s" not in page
    assert "Searching directories…" not in page
    listing = b.get("/campaigns").text
    assert ">failed</span>" in listing and "down for maintenance" in listing
    api = campaign_out(failed)
    assert (api.status, api.retry_at) == ("failed", None) and "down for maintenance" in (api.error or "")

    # The directory is back: Retry carries on with discovery, and the run completes.
    fakes.overpass.failures.clear()
    retried = b.post(f"/campaigns/{campaign_id}/resume", data={"csrf_token": token})
    assert retried.status_code == 303 and retried.headers["location"].endswith("done=retried")
    assert "Trying again" in b.get(retried.headers["location"]).text
    _attempt(moment)
    done = campaign(world, campaign_id)
    assert (done.status, done.found, done.enriched) == ("completed", 5, 5)
    assert (done.error, done.retry_at) == (None, None)


@both_databases
def test_a_directory_failing_twice_then_answering_completes_without_duplicates(one_try_per_job, world, fakes):
    fakes.overpass.fail_next(503, "busy", times=2)
    campaign_id = start(world)
    moment = utcnow()
    for attempt in (1, 2):
        moment = _attempt(moment)
        waiting = campaign(world, campaign_id)
        assert (waiting.status, waiting.found, waiting.discovered_at) == ("running", 0, None), attempt
        assert waiting.error and "busy" in waiting.error and waiting.retry_at is not None
    _attempt(moment)

    done = campaign(world, campaign_id)
    assert (done.status, done.found, done.enriched, done.failed) == ("completed", 5, 5, 0)
    assert (done.error, done.retry_at) == (None, None)
    job = _discovery_job()
    assert (job.status, job.attempts) == ("done", 3)
    found = prospects(world, campaign_id)
    assert len(found) == len({p.name for p in found}) == 5
    in_campaign = ProspectSource.campaign_id == campaign_id
    assert _count(world, select(func.count()).select_from(ProspectSource).where(in_campaign)) == 5
    credits = select(func.sum(ApiUsage.units)).where(ApiUsage.kind == "lead_credit")
    assert _count(world, credits) == 5


def test_pausing_while_retrying_drops_the_retry_and_a_stale_wave_does_nothing(one_try_per_job, world, fakes):
    from salesos.campaigns.service import campaigns as campaign_service
    from salesos.campaigns.service import discovery

    fakes.overpass.fail_next(503, "busy", times=1)
    campaign_id = start(world)
    moment = _attempt(utcnow())
    org = world.alice.org_id
    with unit_of_work(org_id=org) as session:
        campaign_service.pause(session, campaign_service.campaign_or_404(session, campaign_id))
    paused = campaign(world, campaign_id)
    assert (paused.status, paused.error, paused.retry_at) == ("paused", None, None)
    # The retry of the paused wave finds it paused: done, with nothing searched or stored.
    requests = len(fakes.overpass.requests)
    _attempt(moment)
    assert _discovery_job().status == "done" and len(fakes.overpass.requests) == requests
    with unit_of_work(org_id=org) as session:
        campaign_service.resume(session, campaign_service.campaign_or_404(session, campaign_id))
    # A job of the earlier wave (say, retried by an operator) leaves the work to the current wave's job.
    assert discovery.discover(org, campaign_id, wave=1) is None
    assert len(fakes.overpass.requests) == requests
    drain(max_rounds=10, now=moment + timedelta(hours=1))
    done = campaign(world, campaign_id)
    assert (done.status, done.found, done.wave) == ("completed", 5, 2)
    stored = select(func.count()).select_from(Prospect).where(Prospect.campaign_id == campaign_id)
    assert _count(world, stored) == 5


def test_a_failure_of_another_wave_or_after_discovery_changes_nothing(one_try_per_job, world, fakes):
    from salesos.campaigns.service import discovery

    campaign_id = start(world)
    drain(max_rounds=10)
    org = world.alice.org_id
    with unit_of_work(org_id=org) as session:
        stale = discovery.record_failure(session, campaign_id, wave=1, message="late", retry_at=None)
        missing = discovery.record_failure(session, uuid.uuid4(), wave=None, message="x", retry_at=None)
    assert (stale, missing) == (False, False)
    done = campaign(world, campaign_id)
    assert (done.status, done.error) == ("completed", None)
