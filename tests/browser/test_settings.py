"""Settings in a real browser: what a reload does after creating an API key."""

from __future__ import annotations

from typing import Any

from salesos.config import Settings
from tests.browser.test_notifications import signed_in_page
from tests.browser.test_shell import live_server  # noqa: F401  (a fixture used by name)


def test_reloading_the_page_with_a_new_key_does_not_make_another(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    from playwright.sync_api import expect

    with signed_in_page(live_server, world.alice) as page:
        page.goto("/settings/api-keys")
        rows = page.locator("tbody tr", has_text="Reload test")
        page.get_by_label("Name").fill("Reload test")
        page.get_by_role("button", name="Create key").click()
        expect(page.get_by_text("this is the only time it is shown")).to_be_visible()
        expect(page.get_by_label("API key secret")).to_be_focused()  # ready to copy
        expect(rows).to_have_count(1)
        assert page.url.endswith("/settings/api-keys")
        page.reload()
        expect(page.locator("h1, h2").first).to_be_visible()
        expect(rows).to_have_count(1)
