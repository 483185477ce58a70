"""A prospecting campaign in a real browser: create it from the form, watch the live progress reach 100 %,
filter the A tier and open the best prospect's score breakdown.

The live server runs the job consumer in-process, so discovery, enrichment and scoring are the actual
``campaigns.*`` jobs, talking over loopback to fake Nominatim and Overpass servers and to one fake web
server answering as every dentist's website (tests/campaigns/fakes.py: practice 0, Bright Smiles Dental,
is the dated site with a named owner; the others are modern).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from salesos.config import Settings, get_settings
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    SCREENSHOTS,
    TIMEOUT_MS,
    live_server,
    open_page,
    sign_up,
)
from tests.campaigns.fakes import ProspectingWorld, prospecting_world
from tests.support.services import require

DENTISTS = 6


@pytest.fixture
def campaign_server(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[tuple[str, ProspectingWorld]]:
    """The live server, its settings pointed at the loopback prospecting fakes."""
    with prospecting_world(DENTISTS) as fakes:
        for key, value in fakes.settings_env.items():
            monkeypatch.setenv(f"SALESOS_{key.upper()}", value)
        get_settings.cache_clear()
        yield request.getfixturevalue("live_server"), fakes


def test_create_campaign_watch_progress_and_open_an_a_tier_prospect(
    campaign_server: tuple[str, ProspectingWorld],
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    base_url, fakes = campaign_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, base_url, errors)

            sign_up(page, base_url, "Pia Prospect", "pia@prospect.example", "Prospect Sales")

            # Campaigns is a main section now; its empty state says what a campaign does.
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
            expect(page.get_by_role("heading", name="No campaigns yet")).to_be_visible()
            expect(page.get_by_test_id("credits")).to_contain_text("0 of 1,000 lead credits used this month")
            page.get_by_role("link", name="New campaign").click()

            # A refused form keeps what was typed and says what is wrong next to the field.
            page.get_by_label("Campaign name").fill("Austin dentists")
            page.get_by_label("Business type").fill("dentists")
            page.get_by_label("Location").fill("Austin, TX")
            page.get_by_label("Max prospects").fill("0")
            page.get_by_role("button", name="Create and start").click()
            expect(page.locator("#f-max_prospects-error")).to_be_visible()
            expect(page.get_by_label("Location")).to_have_value("Austin, TX")
            expect(page.get_by_label("OpenStreetMap")).to_be_checked()
            expect(page.get_by_label("Yelp")).to_be_disabled()
            page.screenshot(path=str(SCREENSHOTS / "campaign-new.png"), full_page=True)
            # The browser logs the refused form's 422 answer as a failed load: that one is expected.
            assert all("status of 422" in e for e in errors), errors
            errors.clear()
            page.get_by_label("Max prospects").fill("50")
            page.get_by_role("button", name="Create and start").click()

            # The campaign page follows the run live until it completes.
            expect(page.get_by_role("heading", name="Austin dentists")).to_be_visible()
            bar = page.get_by_role("progressbar")
            expect(bar).to_have_attribute("aria-valuenow", "100", timeout=90_000)
            expect(page.get_by_test_id("status")).to_have_text("completed")
            expect(page.get_by_test_id("enriched-of")).to_have_text(f"enriched {DENTISTS} of {DENTISTS}")
            expect(page.get_by_test_id("prospect-row")).to_have_count(DENTISTS)
            # Polling stopped with the run.
            expect(page.locator("#campaign-live")).to_have_attribute("hx-trigger", "campaign-progress")
            # One lead credit per enriched prospect.
            expect(page.get_by_test_id("credits")).to_contain_text(f"{DENTISTS} of 1,000 used this month")
            page.screenshot(path=str(SCREENSHOTS / "campaign.png"), full_page=True)
            page.get_by_role("link", name="← Campaigns").click()
            row = page.get_by_test_id("campaign-row")
            expect(row).to_contain_text("Austin dentists")
            expect(row.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
            expect(row).to_contain_text(f"{DENTISTS} found")
            expect(page.get_by_test_id("credits")).to_contain_text(f"{DENTISTS} of 1,000 lead credits used")
            page.screenshot(path=str(SCREENSHOTS / "campaigns.png"), full_page=True)
            row.get_by_role("link", name="Austin dentists").click()

            # The A tier holds the dated site; its page explains the score.
            page.get_by_role("navigation", name="Filter by tier").get_by_role("link", name="Tier A").click()
            rows = page.get_by_test_id("prospect-row")
            expect(rows.first).to_be_visible()
            expect(rows.first).to_contain_text("Bright Smiles Dental")
            for index in range(rows.count()):
                expect(rows.nth(index)).to_have_attribute("data-tier", "A")
            rows.first.get_by_role("link", name="Bright Smiles Dental").click()

            expect(page.get_by_role("heading", name="Bright Smiles Dental", exact=True)).to_be_visible()
            expect(page.get_by_test_id("tier")).to_have_text("Tier A")
            expect(page.get_by_test_id("tier-reason")).to_be_visible()
            expect(page.get_by_test_id("tier-reason")).to_contain_text("website opportunity")
            bars = page.get_by_test_id("breakdown-bar")
            expect(bars).to_have_count(4)
            expect(bars.filter(has_text="Review strength")).to_contain_text("not counted")
            expect(page.get_by_role("img", name="Website opportunity", exact=False)).to_be_visible()
            expect(page.get_by_test_id("audit")).to_contain_text("jQuery")
            expect(page.get_by_test_id("contacts")).to_contain_text(f"jane@{fakes.practices[0].domain}")
            page.screenshot(path=str(SCREENSHOTS / "campaign-prospect.png"), full_page=True)

            # Send it to the board; the prospect page then links to its lead.
            page.get_by_role("button", name="Send to board").click()
            page.get_by_role("link", name="On the board →").click()
            expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/leads/[0-9a-f-]+$"))
            expect(page.get_by_role("heading", name="Bright Smiles Dental", exact=True)).to_be_visible()
        finally:
            browser.close()
    assert errors == []
