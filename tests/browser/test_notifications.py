"""Notifications in a real browser: Alice assigns a lead to Bob, Bob's bell counts it live, he opens it."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

from salesos.config import Settings
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    TIMEOUT_MS,
    live_server,
)
from tests.notifications.helpers import new_lead
from tests.support.services import require
from tests.support.world import PASSWORD, Person

LIVE_WITHIN_MS = 1000


@contextlib.contextmanager
def signed_in_page(base_url: str, person: Person, **context: Any) -> Iterator[Any]:
    """One Chromium with a page signed in as *person*; fails the test on any page or console error.

    *context* overrides the browser context's options (a phone's viewport and touch). A test that expects
    an error answer removes it from ``page.errors`` before the end.
    """
    require("chromium")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, base_url, person, errors, **context)
            page.errors = errors
            yield page
        finally:
            browser.close()
    assert not errors, errors


def _signed_in(browser: Any, base_url: str, person: Person, errors: list[str], **context: Any) -> Any:
    """A page signed in as *person*; *context* overrides the browser context's options (a phone's)."""
    ctx = browser.new_context(**{"base_url": base_url, "viewport": {"width": 1280, "height": 800}, **context})
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(f"{person.name}: {e}"))
    page.on("console", lambda m: errors.append(f"{person.name}: {m.text}") if m.type == "error" else None)
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
    return page


def test_assignment_reaches_the_other_persons_bell_live_and_opens_the_lead(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    lead_id = new_lead(world.alice, name="Bee Hive Co")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            bob = _signed_in(browser, live_server, world.bob, errors)
            bell = bob.locator("#notification-bell")
            expect(bell.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
            expect(bell).to_have_attribute("aria-live", "polite")
            # The stream is open before Alice acts (the hint is not replayed to a later subscriber).
            expect(bob.locator("html")).to_have_attribute("data-live", "true")

            alice = _signed_in(browser, live_server, world.alice, errors)
            alice.goto(f"/leads/{lead_id}")
            alice.get_by_label("Owner", exact=True).select_option(label="Bob Brooks")
            alice_bell = alice.locator("#notification-bell").get_by_role("link")
            alice_before = alice_bell.text_content() or ""
            alice.get_by_role("button", name="Assign owner").click()
            alice.wait_for_url(re.compile(r"done=owner"))
            started = time.monotonic()
            expect(bell.get_by_role("link", name="Notifications, 1 unread")).to_be_visible(
                timeout=LIVE_WITHIN_MS
            )
            assert time.monotonic() - started < LIVE_WITHIN_MS / 1000
            expect(bell.locator(".bell-count")).to_have_text("1")
            # Alice did it herself: her own count is unchanged.
            expect(alice_bell).to_have_text(alice_before)

            bell.get_by_role("link").click()
            expect(bob).to_have_url(f"{live_server}/notifications")
            item = bob.get_by_role("button", name="Alice Anders assigned Bee Hive Co to you")
            expect(item).to_be_visible()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            bob.screenshot(path=str(SCREENSHOTS / "notifications.png"), full_page=True)
            item.click()
            expect(bob).to_have_url(f"{live_server}/leads/{lead_id}")
            expect(bob.get_by_role("heading", name="Bee Hive Co", level=1)).to_be_visible()
            expect(bob.locator("#notification-bell").get_by_role("link")).to_have_accessible_name(
                "Notifications, 0 unread"
            )
        finally:
            browser.close()
    assert not errors, errors
