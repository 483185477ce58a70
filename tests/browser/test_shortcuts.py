"""Keyboard shortcuts and lead actions in a real browser: help, search, j/Enter, e, n, logging a call; what a
Viewer's n and help show."""

from __future__ import annotations

import re
from typing import Any

from salesos.config import Settings
from salesos.orgs.models import Role
from tests.browser.test_notifications import _signed_in
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
from tests.web.test_board import make_leads


def test_shortcuts_and_logging_a_call(live_server: str, settings: Settings) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, live_server, errors, width=1400)

            sign_up(page, live_server, "Kim Keys", "kim@keys.example", "Keys Sales")
            page.goto("/leads/new")
            page.get_by_label("Company name").fill("Delta Dairy")
            page.get_by_label("Contact name").fill("Dee Delta")
            page.get_by_label("Contact phone").fill("+1 415 555 0100")
            page.get_by_role("button", name="Create lead").click()
            page.get_by_role("heading", name="Delta Dairy", level=1).wait_for()

            page.goto("/leads")
            page.locator("h1").click()  # focus nowhere in particular, as after a fresh load

            # ? opens the help dialog (a <dialog> with a heading); Escape closes it.
            page.keyboard.press("?")
            dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
            expect(dialog).to_be_visible()
            expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
            expect(dialog).to_contain_text("New lead")
            # The board's own move keys are listed there too.
            expect(dialog.locator("dt", has_text="[")).to_have_text("[ / ]")
            expect(dialog).to_contain_text("Move the focused card one stage back / forward")
            page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()

            # / focuses the board search; typing there is text, not shortcuts.
            page.keyboard.press("/")
            search = page.get_by_label("Search")
            expect(search).to_be_focused()
            page.keyboard.type("jn")
            expect(search).to_have_value("jn")
            expect(page).to_have_url(re.compile(r"/leads(\?.*)?$"))
            search.fill("")
            page.locator("h1").click()

            # j focuses the first card, Enter opens it, e opens its edit form at the first field.
            page.keyboard.press("j")
            expect(page.locator(".lead-card").first).to_be_focused()
            page.keyboard.press("Enter")
            page.get_by_role("heading", name="Delta Dairy", level=1).wait_for()
            page.keyboard.press("e")
            expect(page).to_have_url(re.compile(r"/leads/[0-9a-f-]+/edit$"))
            page.keyboard.press("e")
            expect(page.get_by_label("Name", exact=True)).to_be_focused()
            page.go_back()
            page.get_by_role("heading", name="Delta Dairy", level=1).wait_for()

            # Log a call from the composer's "Log call" tab; the timeline shows it in plain words.
            page.get_by_role("tab", name="Log call").click()
            page.get_by_label("Call outcome").select_option(label="Left a voicemail")
            page.get_by_label("Minutes").fill("3")
            page.get_by_role("button", name="Log call").click()
            expect(page.get_by_role("status")).to_contain_text("Call logged.")
            expect(page.locator("ol.timeline")).to_contain_text("Logged a call: Left a voicemail, 3 min")

            # n works on every page, not only where a "New lead" button is: the lead's page has none.
            page.locator("h1").click()
            page.keyboard.press("n")
            expect(page).to_have_url(f"{live_server}/leads/new")
            expect(page.get_by_label("Company name")).to_be_visible()
            # On the form itself n does nothing (a reload would lose what was typed).
            page.locator("h1").click()
            page.keyboard.press("n")
            page.wait_for_timeout(300)  # a navigation would have started by now
            expect(page).to_have_url(f"{live_server}/leads/new")
            page.go_back()
            page.get_by_role("heading", name="Delta Dairy", level=1).wait_for()
            # The lead's page has no search box, so / goes to the lead list with its search focused.
            page.locator("h1").click()
            page.keyboard.press("/")
            expect(page).to_have_url(f"{live_server}/leads/list")
            expect(page.get_by_label("Search")).to_be_focused()

            # On the list, n follows its "New lead" link to the new-lead form.
            page.locator("h1").click()
            page.keyboard.press("n")
            expect(page).to_have_url(f"{live_server}/leads/new")
            expect(page.get_by_label("Company name")).to_be_visible()

            # And from a page with no lead buttons at all; ? lists n there too.
            page.goto("/tasks")
            page.locator("h1").click()
            page.keyboard.press("?")
            expect(dialog).to_contain_text("New lead")
            expect(dialog).not_to_contain_text("Move the focused card")
            page.keyboard.press("Escape")
            page.keyboard.press("n")
            expect(page).to_have_url(f"{live_server}/leads/new")
        finally:
            browser.close()
    assert not errors, errors


def test_viewer_n_is_not_bound_and_help_says_so(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    """A Viewer is offered no "New lead" link, so n must not send them to a 403 page."""
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    make_leads(world.alice, 2, name="Viewed Co")
    # Straight in the database: a TestClient app beside the live server would fight over the realtime hub.
    world.bob.set_role(Role.VIEWER)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.bob, errors)
            for path in ("/tasks", "/leads/list"):
                page.goto(path)
                expect(page.get_by_role("link", name="New lead")).to_have_count(0)
                page.locator("h1").click()
                page.keyboard.press("n")
                page.wait_for_timeout(300)
                expect(page).to_have_url(f"{live_server}{path}")
            page.keyboard.press("?")
            dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
            expect(dialog).to_be_visible()
            expect(dialog).not_to_contain_text("New lead")
            expect(dialog).to_contain_text("list row")
            page.keyboard.press("Escape")
            expect(page).to_have_url(f"{live_server}/leads/list")
            # j/k work on a Viewer's list too (rows without checkboxes).
            page.keyboard.press("j")
            expect(page.locator("#list-rows tr[data-lead-id] a").first).to_be_focused()
        finally:
            browser.close()
    assert not errors, errors
