"""Offline in a real browser: a lead page from the service worker's cache, notes and stage changes queued in
IndexedDB, replayed exactly once on reconnect, and the server winning a stage conflict."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from salesos.config import Settings
from salesos.db.session import unit_of_work
from salesos.leads.models import Lead, Note
from salesos.web import pwa
from tests.browser.test_board import _new_lead
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    live_server,
    sign_up,
)
from tests.support.services import require

LEADS_CACHE = "salesos-leads-v1"
CACHED = "url => caches.open('salesos-leads-v1').then(c => c.match(url)).then(r => !!r)"
INDEX = (
    "() => caches.open('salesos-leads-v1').then(c => c.match('/__salesos/offline-leads-index'))"
    ".then(r => r ? r.json() : [])"
)
QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('salesos-offline', 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction('queue').objectStore('queue').getAll();
    all.onsuccess = () => { resolve(all.result); open.result.close(); };
    all.onerror = () => reject(all.error);
  };
})"""


def _notes(lead_id: str, body: str | None = None) -> int:
    with unit_of_work(write=False) as s:
        query = select(func.count()).select_from(Note).where(Note.lead_id == uuid.UUID(lead_id))
        if body is not None:
            query = query.where(Note.body == body)
        return int(s.scalar(query) or 0)


def _sign_up(page: Any, base_url: str, name: str, email: str, org: str) -> None:
    sign_up(page, base_url, name, email, org)
    # The worker controls the page before any lead is opened, so every lead page goes through it. It
    # installs while the signup form is sent: when it activates (and claims its clients) between that
    # navigation's start and the new page, the new page stays uncontrolled, as the spec says. Once it
    # is active, a reload is a navigation through it.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _open_lead(page: Any, company: str, contact: str) -> tuple[str, str]:
    """Create a lead, reopen it through the worker, and return its id and URL (once it is cached)."""
    _new_lead(page, company, contact, "1000")
    match = re.search(r"/leads/([0-9a-f-]{36})", page.url)
    assert match, page.url
    lead_id = match.group(1)
    url = page.url.split("?")[0]
    page.wait_for_function(CACHED, arg=url)
    return lead_id, url


def _api_session(base_url: str, email: str) -> tuple[httpx.Client, str]:
    """A second, separate browser session (another device of the team), signed in through the form."""
    other = httpx.Client(base_url=base_url, timeout=10, headers={"Accept": "text/html"})
    r = other.post("/login", data={"email": email, "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    page = other.get("/settings/profile").text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert found
    return other, found.group(1)


def _unexpected(errors: list[str], expected: list[str]) -> list[str]:
    """Console errors other than *expected* and the realtime stream's own while the network is cut.

    EventSource (the header bell, the board) retries by design when the browser goes offline, and
    Chromium logs each failed attempt; that is the test cutting the network, not a fault of a page.
    """
    stream_cut = "net::ERR_INTERNET_DISCONNECTED @ "
    return [e for e in errors if e not in expected and not (stream_cut in e and e.endswith("/api/v1/events"))]


def _watch_console(page: Any, errors: list[str]) -> None:
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: errors.append(f"{m.text} @ {m.location.get('url')}") if m.type == "error" else None,
    )


def test_offline_note_is_saved_exactly_once_and_the_server_wins_a_stage_conflict(
    live_server: str,  # noqa: F811
    settings: Settings,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    expected_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            _watch_console(page, errors)
            _sign_up(page, live_server, "Otto Offline", "otto@offline.example", "Offline Sales")
            lead_id, url = _open_lead(page, "Delta Dairy", "Dora Delta")
            # Not the board: its live-update stream would fail (and log) the moment the browser goes offline.
            page.goto("/")

            # Offline: the lead opens from the cache, with a banner saying how old the copy is.
            ctx.set_offline(True)
            page.goto(url)
            banner = page.locator('[data-offline-slot="banner"]')
            expect(banner).to_contain_text("Offline — showing the copy from")
            expect(page.get_by_role("heading", name="Delta Dairy", level=1)).to_be_visible()

            # A note written offline waits in the page as "pending sync"; nothing reached the server.
            page.get_by_label("New note").fill("Called from the car park.")
            page.get_by_role("button", name="Add note").click()
            pending = page.locator('[data-offline-slot="pending-notes"]')
            expect(pending).to_contain_text("Pending sync")
            expect(pending).to_contain_text("Called from the car park.")
            assert _notes(lead_id) == 0
            # A form the queue does not keep stays on the page, typed text and all, and says why.
            page.get_by_role("tab", name="Task").click()
            page.get_by_role("textbox", name="Task", exact=True).fill("Send the brochure")
            page.get_by_role("button", name="Add task").click()
            expect(page.locator('[data-offline-slot="not-sent"]')).to_contain_text("You are offline")
            expect(page.get_by_role("textbox", name="Task", exact=True)).to_have_value("Send the brochure")
            expect(page).to_have_url(url)
            # It survives a reload of the offline copy.
            page.goto(url)
            expect(pending).to_contain_text("Called from the car park.")

            # Back online: the queue is replayed, the page reloads from the server and shows the note.
            ctx.set_offline(False)
            notes = page.locator("#notes")
            expect(
                notes.locator("li.note:not(.is-pending)", has_text="Called from the car park.")
            ).to_have_count(1)
            expect(page.locator('[data-offline-slot="pending-notes"] li')).to_have_count(0)
            expect(page.locator('[data-offline-slot="banner"]')).to_have_count(0)
            assert page.evaluate(QUEUE) == []
            assert _notes(lead_id, "Called from the car park.") == 1

            # A lost answer: the first attempt reached the server but the browser never heard back.
            # The replay carries the same Idempotency-Key, so the server answers from its record.
            ctx.set_offline(True)
            page.goto(url)
            page.get_by_label("New note").fill("Second thoughts on pricing.")
            page.get_by_role("button", name="Add note").click()
            expect(pending).to_contain_text("Second thoughts on pricing.")
            [entry] = page.evaluate(QUEUE)
            other, other_csrf = _api_session(live_server, "otto@offline.example")
            cookie = {c["name"]: c["value"] for c in ctx.cookies()}[settings.session_cookie]
            csrf = page.get_attribute('meta[name="csrf-token"]', "content")
            lost = httpx.post(
                f"{live_server}{entry['url']}",
                json=entry["body"],
                headers={
                    "X-CSRF-Token": csrf or "",
                    "Idempotency-Key": entry["key"],
                    "Cookie": f"{settings.session_cookie}={cookie}",
                },
            )
            assert lost.status_code == 201, lost.text
            # Only the replayed POST counts: what it says about itself, and that there is exactly one.
            replays: list[tuple[str, int, str | None]] = []
            page.on(
                "response",
                lambda r: (
                    replays.append((r.url, r.status, r.headers.get("idempotent-replayed")))
                    if r.request.method == "POST" and r.url.endswith("/notes")
                    else None
                ),
            )
            ctx.set_offline(False)
            expect(
                notes.locator("li.note:not(.is-pending)", has_text="Second thoughts on pricing.")
            ).to_have_count(1)
            assert [(status, replayed) for _, status, replayed in replays] == [(201, "true")], replays
            assert page.evaluate(QUEUE) == []
            assert _notes(lead_id, "Second thoughts on pricing.") == 1
            assert _notes(lead_id) == 2

            # Conflict: offline, move the lead New → Contacted; meanwhile a teammate moves it to Qualified.
            ctx.set_offline(True)
            page.goto(url)
            page.get_by_role("button", name="Move to Contacted").click()  # the stage path
            expect(page.locator('[data-offline-slot="pending-stages"]')).to_contain_text("Move to Contacted")
            stages = {
                s["name"]: s["id"]
                for s in other.get("/api/v1/pipelines", headers={"Accept": "application/json"}).json()[0][
                    "stages"
                ]
            }
            moved = other.patch(
                f"/api/v1/leads/{lead_id}",
                json={"stage_id": stages["Qualified"]},
                headers={"Accept": "application/json", "X-CSRF-Token": other_csrf},
            )
            assert moved.status_code == 200, moved.text
            other.close()
            ctx.set_offline(False)
            # The server wins: the change is dropped and the user is told what was not applied.
            notice = page.get_by_role("alert").filter(has_text="was not applied")
            expect(notice).to_contain_text(
                "Moving Delta Dairy to Contacted — This lead moved to Qualified meanwhile."
            )
            expect(notice).to_contain_text("This lead moved to Qualified meanwhile.")
            expect(page.locator(".lead-facts")).to_contain_text("Qualified")
            expect(page.locator(".stage-path [aria-current=step]")).to_contain_text("Qualified")
            assert page.evaluate(QUEUE) == []
            with unit_of_work(write=False) as s:
                lead = s.get(Lead, uuid.UUID(lead_id))
                assert lead is not None and str(lead.stage_id) == stages["Qualified"]
            # The refused PATCH is the one expected failed request: Chromium logs 4xx fetches as errors.
            expected_errors = [e for e in errors if "status of 409" in e]
            notice.get_by_role("button", name="Dismiss").click()
            expect(page.get_by_role("alert").filter(has_text="was not applied")).to_have_count(0)
        finally:
            browser.close()
    assert len(expected_errors) == 1, errors
    assert _unexpected(errors, expected_errors) == [], errors


def test_lead_cache_keeps_the_most_recent_and_deleted_leads_drop_their_queue(
    live_server: str,  # noqa: F811
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setattr(pwa, "OFFLINE_LEAD_LIMIT", 2)
    errors: list[str] = []
    expected_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(base_url=live_server)
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            _watch_console(page, errors)
            _sign_up(page, live_server, "Lena Lru", "lena@lru.example", "LRU Sales")
            _, first = _open_lead(page, "First Forge", "Fay First")
            _, second = _open_lead(page, "Second Salon", "Sid Second")
            page.goto(first)  # viewed again: now the most recent
            page.wait_for_function(f"() => ({INDEX})().then(u => u[u.length - 1] === {first!r})")
            _, third = _open_lead(page, "Third Tavern", "Tia Third")
            page.wait_for_function(f"() => ({INDEX})().then(u => u.length === 2 && u[1] === {third!r})")
            assert page.evaluate(INDEX) == [first, third]
            assert page.evaluate(CACHED, second) is False

            ctx.set_offline(True)
            page.goto(first)
            expect(page.locator('[data-offline-slot="banner"]')).to_contain_text("showing the copy from")
            page.goto(second)  # evicted: the offline page instead
            expect(page.get_by_role("heading", name="You are offline")).to_be_visible()

            # A note queued on a lead that a teammate deletes meanwhile: dropped, and the user is told.
            page.goto(third)
            page.get_by_label("New note").fill("Too late for this one.")
            page.get_by_role("button", name="Add note").click()
            expect(page.locator('[data-offline-slot="pending-notes"]')).to_contain_text("Too late")
            other, other_csrf = _api_session(live_server, "lena@lru.example")
            third_id = third.rsplit("/", 1)[1]
            gone = other.delete(f"/api/v1/leads/{third_id}", headers={"X-CSRF-Token": other_csrf})
            assert gone.status_code == 204, gone.text
            other.close()
            ctx.set_offline(False)
            notice = page.get_by_role("alert").filter(has_text="was not applied")
            expect(notice).to_contain_text(
                "Your note on Third Tavern (“Too late for this one.”) — the lead was deleted."
            )
            expect(notice).to_contain_text("the lead was deleted")
            expect(page.locator('[data-offline-slot="pending-notes"] li')).to_have_count(0)
            assert page.evaluate(QUEUE) == []
            # The refused POST is the one expected failed request: Chromium logs 4xx fetches as errors.
            expected_errors = [e for e in errors if "status of 404" in e]

            # Signing out forgets the cached leads.
            page.goto("/")
            page.locator("details.user-menu summary").click()
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(re.compile(r"/login"))
            page.wait_for_function(f"() => caches.has({LEADS_CACHE!r}).then(has => !has)")
        finally:
            browser.close()
    assert len(expected_errors) == 1, errors
    assert _unexpected(errors, expected_errors) == [], errors


def test_a_session_ended_elsewhere_forgets_the_cached_leads_at_the_sign_in_page(
    live_server: str,  # noqa: F811
    settings: Settings,
) -> None:
    require("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(base_url=live_server)
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            _sign_up(page, live_server, "Eve Expired", "eve@expired.example", "Expiry Sales")
            _, lead = _open_lead(page, "Kept Kiln", "Kim Kept")
            # Offline, the sign-in page can't be reached: the copies the user works from stay.
            ctx.set_offline(True)
            page.goto("/login")
            assert page.evaluate(CACHED, lead) is True
            ctx.set_offline(False)
            # The session ends without this browser posting /logout (expired, reset, removed): the next
            # page is the sign-in page, and the next person to sign in finds no lead of the last one.
            ctx.clear_cookies()
            page.goto("/leads")
            page.wait_for_url(re.compile(r"/login"))
            page.wait_for_function(f"() => caches.has({LEADS_CACHE!r}).then(has => !has)")
        finally:
            browser.close()
