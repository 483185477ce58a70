"""The lead List page in a real browser: sort by a header, select rows, bulk move with a lost reason,
save a view; no script errors (the CSP allows no inline script)."""

from __future__ import annotations

from typing import Any

from salesos.config import Settings
from tests.browser.test_board import _new_lead
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
from tests.support.services import require


def _companies(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("#list-rows tr td:nth-child(2) > a").all_inner_texts()]


def test_list_sort_select_bulk_move_and_save_view(live_server: str, settings: Settings) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, live_server, errors, width=1680)

            sign_up(page, live_server, "Lou List", "lou@list.example", "List Sales")

            _new_lead(page, "Alpha Widgets", "Ann Alpha", "12000")
            _new_lead(page, "Beta Bakery", "Ben Beta", "3400")
            _new_lead(page, "Gamma Garage", "Gus Gamma", "780")
            _new_lead(page, "Delta Dairy", "Dee Delta", "56000")

            # Board | List toggle.
            page.goto("/leads")
            page.get_by_role("navigation", name="Lead views").get_by_role("link", name="List").click()
            expect(page).to_have_url(f"{live_server}/leads/list")
            expect(page.locator("#list-count")).to_have_text("4 leads")
            assert _companies(page) == ["Delta Dairy", "Gamma Garage", "Beta Bakery", "Alpha Widgets"]

            # Sort: a header click sorts by value, largest first; another click flips it.
            page.get_by_role("link", name="Value").click()
            expect(page.locator("th[aria-sort]")).to_have_text("Value ▼")
            assert _companies(page) == ["Delta Dairy", "Alpha Widgets", "Beta Bakery", "Gamma Garage"]
            page.get_by_role("link", name="Value").click()
            expect(page.locator("th[aria-sort='ascending']")).to_have_text("Value ▲")
            assert _companies(page)[0] == "Gamma Garage"

            # Select two rows with the keyboard and mouse; the bar counts them.
            page.get_by_label("Select Gamma Garage").check()
            page.get_by_label("Select Beta Bakery").focus()
            page.keyboard.press("Space")
            expect(page.locator("#bulk-count")).to_have_text("2 leads selected")
            page.get_by_label("Select all leads shown").check()
            expect(page.locator("#bulk-count")).to_have_text("4 leads selected")
            page.get_by_label("Select all leads shown").uncheck()
            expect(page.locator("#bulk-count")).to_have_text("No leads selected")
            page.get_by_label("Select Gamma Garage").check()
            page.get_by_label("Select Beta Bakery").check()

            # Bulk move to Lost: the reason is asked for first.
            lost_reason = page.get_by_label("Lost reason (for a lost stage)")
            expect(lost_reason).to_be_hidden()
            page.locator("#bulk-stage").select_option(label="Lost")
            expect(lost_reason).to_be_visible()
            page.get_by_role("button", name="Move", exact=True).click()
            expect(lost_reason).to_be_focused()
            lost_reason.fill("Too small for us")
            page.get_by_role("button", name="Move", exact=True).click()
            expect(page.get_by_role("status").filter(has_text="Updated 2 of 2 leads.")).to_be_visible()
            for company in ("Gamma Garage", "Beta Bakery"):
                expect(page.locator("#list-rows tr", has_text=company).locator("td").nth(2)).to_have_text(
                    "Lost"
                )
            expect(page.locator("#list-rows tr", has_text="Delta Dairy").locator("td").nth(2)).to_have_text(
                "New"
            )

            # Save the current view (sorted by value, largest first) and open it again.
            page.get_by_role("link", name="Value").click()
            # "Save view…" is a disclosure: opening it puts the cursor in the name.
            page.locator("summary", has_text="Save view…").click()
            expect(page.get_by_label("Save current view as…")).to_be_focused()
            page.get_by_label("Save current view as…").fill("Biggest deals")
            page.get_by_label("Share with the team").check()
            page.get_by_role("button", name="Save view").click()
            expect(page.get_by_role("status").filter(has_text="View saved.")).to_be_visible()
            expect(page.get_by_label("Saved view", exact=True)).to_have_value(
                page.url.split("view=")[1].split("&")[0]
            )
            page.goto("/leads/list")
            page.get_by_label("Saved view", exact=True).select_option(label="Biggest deals (shared)")
            expect(page.locator("th[aria-sort]")).to_have_text("Value ▼")
            assert _companies(page)[0] == "Delta Dairy"
            page.get_by_label("Select Delta Dairy").check()
            page.screenshot(path=str(SCREENSHOTS / "lead-list.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
