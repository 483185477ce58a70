"""CSV import in a real browser: upload, check the mapping (with its live preview), start, watch it finish.

The live server runs the job consumer in-process, so the import is run by the actual ``imports.run`` job
while the progress card polls itself with HTMX.
"""

from __future__ import annotations

import re

from salesos.config import Settings
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    live_server,
    open_page,
    sign_up,
)
from tests.support.services import require

UNIQUE, REPEATS = 1100, 100


def _csv() -> bytes:
    """1,100 companies, 100 repeats of earlier ones ("+tag" and upper-case emails), 1 bad email: 3 batches."""
    lines = ["Organisation,E-mail,Telephone,Town"]
    for i in range(UNIQUE):
        lines.append(f"Co {i},p{i}@co{i}.example,,Berlin")
    for i in range(REPEATS):
        lines.append(f"Co {i} again,P{i}+crm@CO{i}.example,,")
    lines.append("Broken Co,not-an-email,,")
    return ("\n".join(lines) + "\n").encode()


def test_upload_map_start_and_watch_progress_to_100(live_server: str, settings: Settings) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import FilePayload, expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, live_server, errors)

            sign_up(page, live_server, "Ida Import", "ida@import.example", "Import Sales")

            page.goto("/leads/import")
            page.get_by_label("CSV file (up to 100 MB)").set_input_files(
                files=FilePayload(name="fair-leads.csv", mimeType="text/csv", buffer=_csv())
            )
            page.get_by_role("button", name="Upload").click()

            # The mapping screen: headers recognised by synonym, a preview of the first rows.
            expect(page.get_by_role("heading", name="Map the columns of fair-leads.csv")).to_be_visible()
            expect(page.get_by_text(f"{UNIQUE + REPEATS + 1:,} rows")).to_be_visible()
            expect(page.get_by_label("Organisation")).to_have_value("company_name")
            expect(page.get_by_label("E-mail")).to_have_value("email")
            expect(page.get_by_label("Town")).to_have_value("city")
            # Changing a column refreshes the preview over HTMX: the town is no longer imported.
            page.get_by_label("Town").select_option("")
            expect(page.locator("#import-preview")).not_to_contain_text("Berlin")
            page.get_by_label("Town").select_option("city")
            expect(page.locator("#import-preview")).to_contain_text("Berlin")
            page.get_by_role("button", name="Start import").click()

            # The progress card polls itself until the job is done.
            # "Importing …" while it runs; a fast machine may already show the finished heading.
            expect(
                page.get_by_role("heading", name=re.compile(r"^Import(ing|ed) fair-leads\.csv$"))
            ).to_be_visible()
            expect(page.get_by_test_id("percent")).to_have_text("100%", timeout=60_000)
            expect(page.get_by_role("heading", name="Imported fair-leads.csv")).to_be_visible()
            expect(page.get_by_role("status")).to_have_text("Import finished.")
            card = page.locator("#import-progress")
            expect(card).to_contain_text(
                f"{UNIQUE:,} created · {REPEATS} merged into existing leads · 1 rejected"
            )
            expect(page.get_by_test_id("rows")).to_have_text(
                f"{UNIQUE + REPEATS + 1:,} / {UNIQUE + REPEATS + 1:,} rows"
            )
            expect(card.get_by_role("link", name="Download rejected rows")).to_be_visible()
            # Polling stopped: the finished card no longer asks for itself again.
            expect(card).not_to_have_attribute("hx-trigger", "every 1s")
            card.get_by_role("link", name="Open the board").click()
            expect(page).to_have_url(f"{live_server}/leads")
        finally:
            browser.close()
    assert errors == []
