"""The lead List as a dense work list in a real browser: ten and more one-line rows at 1366x850, a bulk bar
only while leads are ticked (announced, not moving the table), search as you type with the URL following,
and j/k through the rows."""

from __future__ import annotations

import re
from typing import Any

from salesos.config import Settings
from tests.browser.test_notifications import _signed_in
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
)
from tests.support.services import require
from tests.web.test_board import make_leads

VISIBLE_ROWS = """() => {
  const rows = [...document.querySelectorAll('#list-rows tr[data-lead-id]')];
  const seen = r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; };
  return rows.filter(seen).map(r => Math.round(r.getBoundingClientRect().height));
}"""


def _first_row_top(page: Any) -> float:
    return float(page.locator("#list-rows tr").first.bounding_box()["y"])


def test_dense_list_bulk_bar_search_as_you_type_and_j_k(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    make_leads(
        world.alice, 3, name="Umbrella Holdings International Group", tier="A", tags=["hvac", "denver"]
    )
    make_leads(
        world.alice, 50, name="Dense Co", tier="B", tags=["salon"]
    )  # more than a page: "all N" is offered
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.set_viewport_size({"width": 1366, "height": 850})
            page.goto("/leads/list")
            # The world's org already holds a few leads of its own.
            total = int(page.locator("#list-count").inner_text().split()[0])
            assert total >= 53

            # Ten and more rows fit the first screen, each one line high (long names end in an ellipsis).
            heights = page.evaluate(VISIBLE_ROWS)
            assert len(heights) >= 10, heights
            assert max(heights) <= 40, heights
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
            expect(
                page.locator("#list-rows tr", has_text=re.compile(r"Dense Co 0\b")).locator(".badge-tier")
            ).to_have_text("B")

            # No bar until a lead is ticked; then it is announced, and the table stays put under the pointer.
            bar = page.locator("#bulk-form")
            expect(bar).to_be_hidden()
            top = _first_row_top(page)
            page.locator(".row-check").nth(1).check()
            expect(bar).to_be_visible()
            expect(page.locator("#list-live")).to_have_text("1 lead selected")
            assert abs(_first_row_top(page) - top) < 1
            page.locator(".row-check").nth(2).check()
            expect(page.locator("#list-live")).to_have_text("2 leads selected")
            # Keyboard: the bar comes right before the table (Shift+Tab from its select-all box); Escape there
            # clears and hides it, and focus goes back to that box rather than to <body>.
            page.get_by_label("Select all leads shown").focus()
            page.keyboard.press("Shift+Tab")
            expect(page.get_by_role("button", name="Clear selection")).to_be_focused()
            page.keyboard.press("Escape")
            expect(bar).to_be_hidden()
            expect(page.get_by_label("Select all leads shown")).to_be_focused()
            expect(page.locator("#list-live")).to_have_text("No leads selected")

            # "All N matching" is dropped when the filters change: it would otherwise act on other leads.
            page.get_by_label("Select all leads shown").check()
            page.get_by_role("button", name=f"Select all {total} matching leads").click()
            expect(page.locator("#bulk-count")).to_have_text(f"All {total} matching leads selected")

            # Search runs as you type (debounced); the URL and the export link follow, the count is announced.
            search = page.get_by_label("Search")
            search.click()
            page.keyboard.type("umbrel", delay=40)
            expect(page).to_have_url(f"{live_server}/leads/list?q=umbrel")
            expect(page.locator("#list-count")).to_have_text("3 leads")
            expect(page.locator("#list-live")).to_have_text("3 leads found")
            expect(search).to_be_focused()
            expect(page.locator("#export-csv")).to_have_attribute("href", "/leads/list/export.csv?q=umbrel")
            expect(bar).to_be_hidden()
            assert page.locator("#all-matching").input_value() == ""
            page.get_by_label("Tier").select_option("B")
            expect(page).to_have_url(f"{live_server}/leads/list?tier=B&q=umbrel")
            expect(page.locator("#list-count")).to_have_text("0 leads")
            # Back shows the earlier search again, fields and rows alike (a reload, not a stale copy).
            page.go_back()
            expect(page).to_have_url(f"{live_server}/leads/list?q=umbrel")
            expect(page.locator("#list-count")).to_have_text("3 leads")
            expect(page.get_by_label("Tier")).to_have_value("")
            expect(page.get_by_label("Search")).to_have_value("umbrel")

            # j/k step through the rows' lead links; Enter opens the focused one.
            page.locator("h1").click()
            page.keyboard.press("j")
            page.keyboard.press("j")
            links = page.locator("#list-rows tr[data-lead-id] td:nth-child(2) > a")
            expect(links.nth(1)).to_be_focused()
            page.keyboard.press("k")
            expect(links.nth(0)).to_be_focused()
            name = links.nth(0).inner_text()
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
            expect(page).to_have_url(re.compile(r"/leads/[0-9a-f-]+$"))
        finally:
            browser.close()
    assert not errors, errors
