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


def test_rows_past_the_first_page_update_in_place_and_go_only_when_they_no_longer_match(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    """The live refresh fetched the list's first 50 rows and removed every changed row it did not find
    there: a row loaded with "Load more" vanished as soon as someone else edited it."""
    from playwright.sync_api import expect

    from tests.browser.test_notifications import signed_in_page
    from tests.web.test_board import make_leads, stages_of

    stages = stages_of(world.alice)
    # Oldest first: Row Co 0 and 1 are on the list's second page (newest first, 50 a page).
    ids = make_leads(world.alice, 55, name="Row Co", stage_id=stages["New"])
    kept, moved = ids[0], ids[1]
    with signed_in_page(live_server, world.alice) as page:
        page.goto(f"/leads/list?stage={stages['New']}")
        expect(page.locator("html")).to_have_attribute("data-live", "true")
        page.get_by_role("link", name="Load more").click()
        expect(page.locator(f"#row-{kept}")).to_be_visible()
        shown = page.locator("#list-rows tr[data-lead-id]").count()
        token = page.locator('meta[name="csrf-token"]').get_attribute("content")
        headers = {"X-CSRF-Token": token, "Origin": live_server}
        # Someone else tags one (it still matches "Stage: New") and moves the other out of New.
        tagged = page.request.patch(f"/api/v1/leads/{kept}", data={"tags": ["hot"]}, headers=headers)
        assert tagged.ok, tagged.status
        out = page.request.patch(
            f"/api/v1/leads/{moved}", data={"stage_id": str(stages["Contacted"])}, headers=headers
        )
        assert out.ok, out.status
        expect(page.locator(f"#row-{kept} .badge", has_text="hot")).to_be_visible()
        expect(page.locator(f"#row-{moved}")).to_have_count(0)
        expect(page.locator("#list-rows tr[data-lead-id]")).to_have_count(shown - 1)


def test_on_a_phone_the_bulk_bar_shows_every_action_without_scrolling_sideways(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    """The bar was a 935 px line scrolling inside 356 px: Move half faded, Assign, Tag and Clear past the
    edge, the count line showing through the faded edge, "Add tag" on two lines."""
    from playwright.sync_api import expect

    from tests.browser.test_notifications import signed_in_page
    from tests.web.test_board import make_leads

    make_leads(world.alice, 3, name="Phone Row Co")
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    with signed_in_page(live_server, world.alice, **phone) as page:
        page.goto("/leads/list")
        page.get_by_label("Select Phone Row Co 0").tap()
        bar = page.locator("#bulk-form")
        expect(bar).to_be_visible()
        widths = bar.evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert widths[0] <= widths[1], widths
        style = bar.evaluate("b => [getComputedStyle(b).maskImage, getComputedStyle(b).backgroundColor]")
        assert style[0] in ("none", ""), style
        assert style[1].startswith("rgb(") or style[1].endswith(", 1)"), style
        box = bar.bounding_box()
        for name in ("Move", "Assign", "Add tag", "Remove tag", "Clear selection"):
            button = bar.get_by_role("button", name=name, exact=True)
            expect(button).to_be_in_viewport(ratio=1)
            own = button.bounding_box()
            assert box["x"] <= own["x"] and own["x"] + own["width"] <= box["x"] + box["width"], (name, own)
            assert own["height"] < 40, (name, own)  # one line
        for field in ("#bulk-stage", "#bulk-owner", "#bulk-tag"):
            expect(page.locator(field)).to_be_in_viewport(ratio=1)
        # Nothing behind the bar shows through: the count line is not under it.
        count = page.locator("#list-count").bounding_box()
        assert count["y"] >= box["y"] + box["height"] - 1, (count, box)


def test_a_saved_views_notice_is_shown_once_and_its_delete_goes_with_it(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    """After "Save view" the address kept done=view_saved, so a reload said "View saved." again; and a
    changed filter showed "All leads" in the picker beside the view's own Delete button."""
    import re

    from playwright.sync_api import expect

    from tests.browser.test_notifications import signed_in_page
    from tests.web.test_board import make_leads

    make_leads(world.alice, 2, name="Viewed Co", tags=["vip"])
    with signed_in_page(live_server, world.alice) as page:
        page.goto("/leads/list?tag=vip")
        page.locator("summary", has_text="Save view…").click()
        page.get_by_label("Save current view as…").fill("VIPs")
        page.get_by_role("button", name="Save view").click()
        notice = page.get_by_role("status").filter(has_text="View saved.")
        expect(notice).to_be_visible()
        expect(page).to_have_url(re.compile(r"/leads/list\?view=[0-9a-f-]+$"))
        page.reload()
        expect(page.get_by_label("Saved view", exact=True)).to_have_value(re.compile("[0-9a-f-]{36}"))
        expect(notice).to_have_count(0)
        expect(page.get_by_role("button", name="Delete view")).to_be_visible()

        # Another filter: no longer the view, and no button to delete it beside "All leads".
        page.get_by_role("searchbox", name="Search").fill("viewed")
        expect(page).to_have_url(re.compile(r"q=viewed"))
        expect(page.get_by_label("Saved view", exact=True)).to_have_value("")
        expect(page.get_by_role("button", name="Delete view")).to_have_count(0)

        # A bulk action's outcome is said once too.
        page.get_by_label("Select all leads shown").check()
        page.locator("#bulk-tag").fill("seen")
        page.get_by_role("button", name="Add tag").click()
        expect(page.get_by_role("status").filter(has_text="Updated 2 of 2 leads.")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/leads/list\?tag=vip&q=viewed$"))
