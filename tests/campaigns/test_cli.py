"""``salesos discover``: the whole run in one process against the fakes, with a progress bar and a table."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from salesos.campaigns.models import Campaign
from salesos.cli import app
from salesos.config import get_settings
from salesos.db.session import unit_of_work
from salesos.orgs.models import Organization


def _slug(org_id) -> str:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False) as session:
        return session.get(Organization, org_id).slug  # type: ignore[union-attr]


def test_discover_runs_a_campaign_and_prints_the_best(prospecting, world):
    slug = _slug(world.alice.org_id)
    result = CliRunner().invoke(app, ["discover", "dentists", "Austin, TX", "--limit", "4", "--org", slug])
    assert result.exit_code == 0, result.output
    assert "Found 4 businesses, 4 new." in result.output
    assert "Bright" in result.output and "4 enriched" in result.output
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.name == "dentists in Austin, TX")).one()
        assert (campaign.status, campaign.found, campaign.enriched) == ("completed", 4, 4)


def test_discover_explains_what_it_cannot_do(prospecting, world):
    several = CliRunner().invoke(app, ["discover", "dentists", "Austin, TX"])
    assert several.exit_code == 1 and "--org" in several.output  # two orgs exist in this world
    slug = _slug(world.alice.org_id)
    unknown = CliRunner().invoke(app, ["discover", "quantum florists", "Austin, TX", "--org", slug])
    assert unknown.exit_code == 1 and "OpenStreetMap has no category" in unknown.output
    keyless = CliRunner().invoke(
        app, ["discover", "dentists", "Austin, TX", "--org", slug, "--source", "yelp"]
    )
    assert keyless.exit_code == 1 and "Yelp needs an API key" in keyless.output
    nowhere = CliRunner().invoke(app, ["discover", "dentists", "Atlantis", "--org", slug])
    assert nowhere.exit_code == 1 and "No place called 'Atlantis'" in nowhere.output


def test_discover_fails_the_campaign_when_the_directory_is_down(prospecting, world, fakes, monkeypatch):
    monkeypatch.setenv("SALESOS_PROVIDER_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    fakes.overpass.fail_next(503, "down for maintenance", times=5)
    slug = _slug(world.alice.org_id)
    result = CliRunner().invoke(app, ["discover", "dentists", "Austin, TX", "--org", slug])
    assert result.exit_code == 1, result.output
    assert "(failed)" in result.output and "down for maintenance" in result.output
    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.name == "dentists in Austin, TX")).one()
        assert (campaign.status, campaign.found) == ("failed", 0)
        assert campaign.error and campaign.error.startswith("OpenStreetMap: ")
