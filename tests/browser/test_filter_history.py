"""The board's and the list's filter bars in a real browser: the URL they push names only the filters in use,
and Back, Forward and reload of such a URL show that URL's whole page, its fields set as the URL says."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from salesos.config import Settings
from tests.browser.test_board import _new_lead
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    open_page,
    sign_up,
)
from tests.support.services import require


def _filter_requests(page: Any, path: str) -> list[str]:
    """The URLs of the HTMX requests the page sends to *path* from now on (filled in as they go)."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.resource_type == "xhr" and urlsplit(r.url).path == path else None,
    )
    return sent


def _assert_no_empty_params(urls: list[str]) -> None:
    assert urls, "the filter bar sent no request"
    for url in urls:
        blank = [name for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True) if not value]
        assert not blank, url


def _open_and_come_back(page: Any, lead: str) -> None:
    """Open *lead* from the filtered page (a new document), then the browser's Back."""
    from playwright.sync_api import expect

    url = page.url
    page.locator("main").get_by_role("link", name=lead, exact=True).first.click()
    expect(page.get_by_role("heading", name=lead, level=1)).to_be_visible()
    page.go_back()
    expect(page).to_have_url(url)


def test_board_filters_push_clean_urls_that_back_and_reload_restore(
    live_server: str,  # noqa: F811
    settings: Settings,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, live_server, errors, width=1680)
            sign_up(page, live_server, "Hal History", "hal@history.example", "History Sales")
            _new_lead(page, "Alpha Widgets", "Ann Alpha", "100")
            _new_lead(page, "Beta Bakery", "Ben Beta", "200")
            _new_lead(page, "Gamma Garage", "Gus Gamma", "300")
            page.goto("/leads")
            owner = page.get_by_label("Owner")
            hal = owner.locator("option", has_text="Hal History").get_attribute("value")
            search = page.get_by_label("Search")
            cards = page.locator("#board .lead-card h3")
            sent = _filter_requests(page, "/leads")

            # Typing filters in place; the request and the pushed URL carry only the search.
            search.fill("alpha")
            expect(page).to_have_url(f"{live_server}/leads?q=alpha")
            expect(cards).to_have_text(["Alpha Widgets"])
            owner.select_option(hal)
            expect(page).to_have_url(f"{live_server}/leads?q=alpha&owner={hal}")
            search.fill("beta")
            expect(page).to_have_url(f"{live_server}/leads?q=beta&owner={hal}")
            expect(cards).to_have_text(["Beta Bakery"])
            _assert_no_empty_params(sent)
            # Leaving the search box asks for nothing more: its input already fetched this URL.
            asked = len(sent)
            page.locator("h1").first.click()
            page.wait_for_timeout(400)
            assert len(sent) == asked, sent[asked:]

            # A lead page and Back (a new document for that URL): the whole board page, as the URL says.
            _open_and_come_back(page, "Beta Bakery")
            expect(page.get_by_role("heading", name="Pipeline")).to_be_visible()
            expect(page.get_by_role("navigation", name="Main")).to_be_visible()
            expect(search).to_have_value("beta")
            expect(owner).to_have_value(hal)
            expect(cards).to_have_text(["Beta Bakery"])

            # Back through the URLs pushed in place: each reloads as its own page, fields included.
            page.go_back()
            expect(page).to_have_url(f"{live_server}/leads?q=alpha&owner={hal}")
            expect(search).to_have_value("alpha")
            expect(owner).to_have_value(hal)
            expect(cards).to_have_text(["Alpha Widgets"])
            page.go_back()
            expect(page).to_have_url(f"{live_server}/leads?q=alpha")
            expect(owner).to_have_value("")
            expect(search).to_have_value("alpha")
            page.go_forward()
            expect(page).to_have_url(f"{live_server}/leads?q=alpha&owner={hal}")
            expect(owner).to_have_value(hal)
            page.reload()
            expect(search).to_have_value("alpha")
            expect(owner).to_have_value(hal)
            expect(cards).to_have_text(["Alpha Widgets"])

            # Clearing every filter leaves the bare board's URL.
            search.fill("")
            expect(page).to_have_url(f"{live_server}/leads?owner={hal}")
            owner.select_option("")
            expect(page).to_have_url(f"{live_server}/leads")
            expect(cards).to_have_count(3)
            _assert_no_empty_params(sent)
            # No copy of the board (the leads on it) is kept in the browser's storage.
            assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
        finally:
            browser.close()
    assert not errors, errors


def test_list_filters_push_clean_urls_that_back_and_reload_restore(
    live_server: str,  # noqa: F811
    settings: Settings,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(browser, live_server, errors, width=1680)
            sign_up(page, live_server, "Liz List", "liz@history.example", "List History")
            _new_lead(page, "Alpha Widgets", "Ann Alpha", "100")
            _new_lead(page, "Beta Bakery", "Ben Beta", "200")
            page.goto("/leads/list")
            search = page.get_by_label("Search")
            rows = page.locator("#list-rows tr td:nth-child(2) > a")
            sent = _filter_requests(page, "/leads/list")

            search.fill("alpha")
            expect(page).to_have_url(f"{live_server}/leads/list?q=alpha")
            expect(rows).to_have_text(["Alpha Widgets"])
            search.fill("beta")
            expect(page).to_have_url(f"{live_server}/leads/list?q=beta")
            expect(rows).to_have_text(["Beta Bakery"])
            _assert_no_empty_params(sent)

            _open_and_come_back(page, "Beta Bakery")
            expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
            expect(search).to_have_value("beta")
            expect(rows).to_have_text(["Beta Bakery"])
            page.go_back()
            expect(page).to_have_url(f"{live_server}/leads/list?q=alpha")
            expect(search).to_have_value("alpha")
            expect(rows).to_have_text(["Alpha Widgets"])
            page.reload()
            expect(search).to_have_value("alpha")
            expect(rows).to_have_text(["Alpha Widgets"])
        finally:
            browser.close()
    assert not errors, errors


def test_enter_in_a_filter_field_asks_once_and_the_boards_tag_filters_as_you_type(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    """Enter in a text filter fired its change event and then the form's submit: two requests, the first
    aborted (htmx logs that as a console error). And the board's Tag field filtered only on Enter or
    blur, while Search filtered as you type."""
    from playwright.sync_api import expect

    from tests.browser.test_notifications import signed_in_page
    from tests.web.test_board import make_leads

    make_leads(world.alice, 2, name="Tagged Co", tags=["vip"], source="fair")
    make_leads(world.alice, 2, name="Plain Co")
    with signed_in_page(live_server, world.alice) as page:
        # The board's Tag, as you type (no Enter, no blur).
        page.goto("/leads")
        cards = page.locator("#board .lead-card h3")
        board_sent = _filter_requests(page, "/leads")
        tag = page.get_by_role("textbox", name="Tag")
        tag.press_sequentially("vip")
        # (The org has two pipelines: the board's URL names the one shown.)
        expect(page).to_have_url(re.compile(r"/leads\?(.+&)?tag=vip$"))
        expect(cards).to_have_text(["Tagged Co 1", "Tagged Co 0"])
        asked = len(board_sent)
        tag.press("Enter")
        page.wait_for_timeout(500)
        assert len(board_sent) <= asked + 1, board_sent[asked:]

        # The list: typed quickly and Enter at once (before the typing's own request): one request.
        for label, value, path in (("Tag", "vip", "tag=vip"), ("Source", "fair", "source=fair")):
            page.goto("/leads/list")
            rows = page.locator("#list-rows tr td:nth-child(2) > a")
            sent = _filter_requests(page, "/leads/list")
            field = page.get_by_role("textbox", name=label, exact=True)
            field.fill(value)
            field.press("Enter")
            expect(page).to_have_url(f"{live_server}/leads/list?{path}")
            expect(rows).to_have_text(["Tagged Co 1", "Tagged Co 0"])
            page.wait_for_timeout(500)  # the typing's debounced request would have gone by now
            assert len(sent) == 1, sent


def test_switching_between_board_and_list_keeps_the_filters_changed_in_place(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    from playwright.sync_api import expect

    from tests.browser.test_notifications import signed_in_page
    from tests.web.test_board import make_leads

    make_leads(world.alice, 2, name="Switch Co", tags=["vip"])
    make_leads(world.alice, 1, name="Switch Co Plain")
    with signed_in_page(live_server, world.alice) as page:
        page.goto("/leads")
        page.get_by_role("searchbox", name="Search").fill("switch")
        expect(page).to_have_url(re.compile(r"q=switch"))
        toggle = page.get_by_role("navigation", name="Lead views")
        toggle.get_by_role("link", name="List").click()
        expect(page).to_have_url(f"{live_server}/leads/list?q=switch")
        expect(page.get_by_role("searchbox", name="Search")).to_have_value("switch")
        expect(page.locator("#list-count")).to_have_text("3 leads")

        page.get_by_role("textbox", name="Tag", exact=True).fill("vip")
        expect(page).to_have_url(f"{live_server}/leads/list?tag=vip&q=switch")
        toggle.get_by_role("link", name="Board").click()
        expect(page).to_have_url(f"{live_server}/leads?q=switch&tag=vip")
        expect(page.get_by_role("textbox", name="Tag")).to_have_value("vip")
        expect(page.locator("#board .lead-card")).to_have_count(2)
