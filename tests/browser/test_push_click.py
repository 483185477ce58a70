"""The service worker's push and notificationclick handlers in a real Chromium: a push shows the notification
with its actions, and a click takes the SalesOS tab to the lead (never off-site)."""

from __future__ import annotations

from typing import Any

from salesos.config import Settings
from tests.browser.test_offline import _open_lead, _sign_up, _unexpected, _watch_console
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    live_server,
)
from tests.support.services import require

PUSH = """async (payload) => {
  self.dispatchEvent(new PushEvent("push", { data: JSON.stringify(payload) }));
  for (let i = 0; i < 50; i += 1) {
    const shown = await self.registration.getNotifications({ tag: payload.tag });
    if (shown.length) {
      const n = shown[0];
      return { title: n.title, body: n.body, actions: n.actions.map((a) => a.action), url: n.data.url };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}"""
CLICK = """async (tag) => {
  const [notification] = await self.registration.getNotifications({ tag });
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
  return true;
}"""


def _worker(context: Any) -> Any:
    workers = context.service_workers
    return workers[0] if workers else context.wait_for_event("serviceworker", timeout=TIMEOUT_MS)


def test_a_push_shows_actions_and_a_click_opens_the_lead(live_server: str, settings: Settings) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=live_server)
            context.grant_permissions(["notifications"], origin=live_server)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            errors: list[str] = []
            _watch_console(page, errors)
            _sign_up(page, live_server, "Nora Notify", "nora@notify.example", "Notify Co")
            lead_id, lead_url = _open_lead(page, "Clicky Ltd", "Cleo Click")
            page.goto("/")
            worker = _worker(context)

            payload = {
                "title": "Lead assigned to you",
                "body": "Clicky Ltd",
                "url": f"/leads/{lead_id}",
                "tag": "lead-assigned",
                "phone": "+15125550100",
            }
            shown = worker.evaluate(PUSH, payload)
            assert shown == {
                "title": "Lead assigned to you",
                "body": "Clicky Ltd",
                "actions": ["open", "call"],
                "url": f"/leads/{lead_id}",
            }
            worker.evaluate(CLICK, "lead-assigned")
            expect(page).to_have_url(lead_url)

            # A payload pointing off-site lands on the app's home page instead.
            worker.evaluate(PUSH, {**payload, "tag": "elsewhere", "url": "https://evil.example/phish"})
            worker.evaluate(CLICK, "elsewhere")
            expect(page).to_have_url(f"{live_server}/")
            assert _unexpected(errors, []) == []
        finally:
            browser.close()
