"""The web shell in a real browser: sign up, invite by email, accept in another browser, sign out and in.

A real uvicorn server runs the app in a background thread with the in-process job consumer, so the
invitation email is sent by the actual job and read back from the console provider's .eml files.
"""

from __future__ import annotations

import email
import re
import threading
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from salesos.config import PROJECT_ROOT, Settings, get_settings
from salesos.main import create_app
from tests.support.servers import free_port
from tests.support.services import require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
PASSWORD = "a long test password"
TIMEOUT_MS = 15_000


@pytest.fixture
def live_server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app on a real port, with the job consumer running in-process (embedded mode)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("SALESOS_BASE_URL", base_url)
    monkeypatch.setenv("SALESOS_RUN_WORKER_IN_PROCESS", "true")
    get_settings.cache_clear()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def open_page(browser: Any, base_url: str, errors: list[str], *, width: int = 1280, height: int = 900) -> Any:
    """A page in a new context on *base_url*; the page's uncaught errors and console errors go to *errors*."""
    ctx = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


def sign_up(page: Any, base_url: str, name: str, email: str, org: str) -> None:
    """Create an account and its organisation through the signup form; ends on the dashboard."""
    from playwright.sync_api import expect

    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Organisation name").fill(org)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{base_url}/")


def _invite_link(mail_dir: Path, to: str, base_url: str) -> str:
    """Wait for the invitation email to *to* and return its link."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
            message: Message = email.message_from_bytes(path.read_bytes())
            if message["To"] == to:
                body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
                match = re.search(re.escape(base_url) + r"/invite/\S+", body)
                assert match, body
                return match.group(0)
        time.sleep(0.2)
    pytest.fail(f"no invitation email to {to} in {mail_dir}")


def test_signup_invite_accept_logout_login(live_server: str, settings: Settings) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            owner_ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 820})
            owner_ctx.set_default_timeout(TIMEOUT_MS)
            owner = owner_ctx.new_page()
            owner.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            owner.on("pageerror", lambda e: errors.append(str(e)))

            # Sign up: a new organisation, straight onto its dashboard.
            owner.goto("/signup")
            owner.get_by_label("Your name").fill("Olivia Owner")
            owner.get_by_label("Work email").fill("olivia@orbit.example")
            owner.get_by_label("Password").fill(PASSWORD)
            owner.get_by_label("Organisation name").fill("Orbit Sales")
            owner.get_by_role("button", name="Create account").click()
            expect(owner).to_have_url(f"{live_server}/")
            expect(owner.get_by_role("heading", name="Welcome, Olivia Owner")).to_be_visible()
            expect(owner.locator("main")).to_contain_text("Orbit Sales")

            # The PWA: the manifest is linked and the service worker controls the whole origin.
            assert owner.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
            scope = owner.evaluate("() => navigator.serviceWorker.ready.then((r) => r.scope)")
            assert scope == f"{live_server}/"
            owner.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
            # Offline, a page navigation falls back to the precached offline page.
            owner_ctx.set_offline(True)
            owner.goto("/leads")
            expect(owner.get_by_role("heading", name="You are offline")).to_be_visible()
            owner_ctx.set_offline(False)
            owner.goto("/")

            # Invite a teammate from the members settings.
            owner.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
            owner.get_by_role("navigation", name="Settings").get_by_role("link", name="Members").click()
            expect(owner).to_have_url(f"{live_server}/settings/members")
            owner.get_by_label("Email").fill("mia@orbit.example")
            owner.get_by_label("Role", exact=True).select_option("member")
            owner.get_by_role("button", name="Send invitation").click()
            expect(owner.get_by_role("status")).to_contain_text("Invitation created, but not emailed")
            expect(owner.locator("table").last).to_contain_text("mia@orbit.example")
            owner.screenshot(path=str(SCREENSHOTS / "members.png"), full_page=True)

            # The invited person opens the emailed link in their own browser and creates the account.
            link = _invite_link(get_settings().var_dir / "mail", "mia@orbit.example", live_server)
            guest_ctx = browser.new_context(base_url=live_server)
            guest_ctx.set_default_timeout(TIMEOUT_MS)
            guest = guest_ctx.new_page()
            guest.on("pageerror", lambda e: errors.append(str(e)))
            guest.goto(link)
            expect(guest.get_by_role("heading", name="Join Orbit Sales")).to_be_visible()
            guest.get_by_label("Your name").fill("Mia Member")
            guest.get_by_label("Choose a password").fill(PASSWORD)
            guest.get_by_role("button", name="Create account and join").click()
            expect(guest).to_have_url(f"{live_server}/")
            expect(guest.get_by_role("heading", name="Welcome, Mia Member")).to_be_visible()
            expect(guest.locator("main")).to_contain_text("Orbit Sales")
            expect(guest.locator("main")).to_contain_text("member")

            # The owner sees Mia and makes her a viewer, confirming what a viewer may do first.
            owner.reload()
            expect(owner.locator("table").first).to_contain_text("Mia Member")
            owner.get_by_label("Role of Mia Member").select_option("viewer")
            owner.get_by_role("button", name="Change role of Mia Member").click()
            expect(owner.get_by_role("heading", name="Make Mia Member a viewer?")).to_be_visible()
            owner.get_by_role("button", name="Change role", exact=True).click()
            expect(owner.get_by_role("status").filter(has_text="Role updated.")).to_be_visible()
            expect(owner.get_by_label("Role of Mia Member")).to_have_value("viewer")

            # Sign out from the user menu, then back in: the same org's dashboard.
            guest.locator("details.user-menu summary").click()
            guest.get_by_role("button", name="Sign out").click()
            expect(guest).to_have_url(re.compile(r"/login\?done=signed-out$"))
            expect(guest.get_by_role("status")).to_contain_text("You are signed out.")
            guest.get_by_label("Email").fill("mia@orbit.example")
            guest.get_by_label("Password").fill(PASSWORD)
            guest.get_by_role("button", name="Sign in").click()
            expect(guest).to_have_url(f"{live_server}/")
            expect(guest.get_by_role("heading", name="Welcome, Mia Member")).to_be_visible()
            expect(guest.locator("main")).to_contain_text("Orbit Sales")
            expect(guest.locator("main")).to_contain_text("viewer")

            # A phone-sized screen gets the top bar instead of the sidebar.
            owner.set_viewport_size({"width": 390, "height": 844})
            owner.goto("/")
            nav = owner.get_by_role("navigation", name="Main")
            expect(nav).to_be_visible()
            # Its one row scrolls sideways: the far edge fades while there are sections behind it, and on
            # a section past the edge that section is scrolled into view.
            expect(nav).to_have_attribute("data-more-end", "")
            expect(nav).not_to_have_attribute("data-more-start", "")
            owner.screenshot(path=str(SCREENSHOTS / "dashboard-mobile.png"), full_page=True)
            owner.goto("/settings/profile")
            expect(nav).to_have_attribute("data-more-start", "")
            box, link = nav.bounding_box(), nav.get_by_role("link", name="Settings").bounding_box()
            assert (
                box
                and link
                and box["x"] <= link["x"]
                and link["x"] + link["width"] <= box["x"] + box["width"]
            )
        finally:
            browser.close()
    assert not errors, f"the browser reported errors (CSP violations show up here): {errors}"
