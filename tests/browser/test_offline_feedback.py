"""What the user is told about offline work, in a real browser: messages beside the form used and in a fixed
status area, the header's "Offline · N waiting" (across tabs), a pending stage shown as pending, a lost lead
refused without a reason before it is queued, stage moves carrying the lead's updated_at (rebased on the
server's answer), the offline page's way back to cached leads, "Sign in again" with a link, and signing out
with unsent changes."""

from __future__ import annotations

import json
import re
from typing import Any

from salesos.config import Settings
from tests.browser.test_offline import QUEUE, _open_lead, _sign_up, _unexpected, _watch_console
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    live_server,
)
from tests.support.services import require

SAVED = "Saved on this device; it will be sent when you are back online."
SERVER_ANSWER_AT = "2030-01-02T03:04:05.678901Z"
STALE = "This lead was changed by someone else meanwhile."


def _stage_ids(page: Any) -> dict[str, str]:
    pipelines = page.request.get("/api/v1/pipelines", headers={"Accept": "application/json"}).json()
    return {s["name"]: s["id"] for s in pipelines[0]["stages"]}


def _fake_stage_answers(lead_id: str, bodies: list[dict[str, Any]]) -> Any:
    """The server side of "stale lead" as the contract says: 200 with the lead's new updated_at, then 409."""

    def answer(route: Any) -> None:
        if route.request.method != "PATCH":
            route.fallback()
            return
        bodies.append(json.loads(route.request.post_data or "{}"))
        if len(bodies) == 1:
            route.fulfill(
                status=200,
                content_type="application/json",
                body=json.dumps({"id": lead_id, "updated_at": SERVER_ANSWER_AT}),
            )
        else:
            problem = {"type": "about:blank", "title": "Conflict", "status": 409, "detail": STALE}
            route.fulfill(status=409, content_type="application/problem+json", body=json.dumps(problem))

    return answer


def test_offline_lead_page_tells_where_the_user_looks(live_server: str, settings: Settings) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A phone: the messages used to land far above what the user was looking at.
            ctx = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            _watch_console(page, errors)
            _sign_up(page, live_server, "Fern Feedback", "fern@feedback.example", "Feedback Sales")
            _, echo_url = _open_lead(page, "Echo Eggs", "Eve Echo")
            lead_id, url = _open_lead(page, "Delta Dairy", "Dora Delta")
            stages = _stage_ids(page)
            # The page carries the lead's updated_at exactly as the API answers it.
            api = page.request.get(f"/api/v1/leads/{lead_id}", headers={"Accept": "application/json"}).json()
            seen_at = api["updated_at"]
            assert page.get_attribute("[data-offline-lead]", "data-lead-updated-at") == seen_at
            page.goto("/")

            ctx.set_offline(True)
            page.goto(echo_url)
            indicator = page.locator("[data-offline-indicator]")
            expect(indicator).to_have_text("Offline")
            page.get_by_label("New note").fill("Eggs are back in stock.")
            page.get_by_role("button", name="Add note").click()
            # Told right after the note form, in view, and counted in the header.
            saved = page.locator('form[data-offline="note"] + [data-offline-slot="queued"]')
            expect(saved).to_have_text(SAVED)
            expect(saved).to_have_attribute("role", "status")
            expect(saved).to_be_in_viewport()
            expect(indicator).to_contain_text("Offline · 1 waiting")

            # Lost without a reason is refused before it is queued, at the reason field.
            page.goto(url)
            page.locator("#tab-stage").click()
            page.locator("#f-stage_id").select_option(label="Lost")
            page.get_by_role("button", name="Change stage").click()
            reason = page.locator("#f-lost_reason")
            expect(reason).to_be_focused()
            expect(reason).to_have_attribute("aria-invalid", "true")
            expect(page.locator("#f-lost_reason-error")).to_have_text("Say why the lead was lost.")
            assert len(page.evaluate(QUEUE)) == 1
            page.locator("#f-stage_id").select_option(label="New")

            # A queued move shows as pending in the path and the header; choosing it again says it waits.
            page.get_by_role("button", name="Move to Contacted").click()
            pending_step = page.locator(".stage-path .stage-step.is-pending")
            expect(pending_step).to_have_text("Move to Contacted (pending)")
            expect(page.locator("#live-facts")).to_contain_text("New → Contacted (pending)")
            path_message = page.locator('#live-stage-path + [data-offline-slot="queued"]')
            expect(path_message).to_have_text(SAVED)
            expect(path_message).to_be_in_viewport()
            page.get_by_role("button", name="Move to Contacted").click()
            expect(path_message).to_have_text("Moving to Contacted is already waiting to be sent.")
            page.get_by_role("button", name="Move to Qualified").click()
            expect(page.locator("#live-facts")).to_contain_text("→ Qualified (pending)")
            # The pending line keeps its distance from the contact buttons under it.
            pending = page.locator('.lead-header [data-offline-slot="pending-stages"]').bounding_box()
            actions = page.locator("#actions").bounding_box()
            assert pending and actions and actions["y"] - (pending["y"] + pending["height"]) >= 12

            # A second tab of the lead shows what the first one queues, without a reload.
            second = ctx.new_page()
            _watch_console(second, errors)
            second.goto(url)
            second_stages = second.locator('[data-offline-slot="pending-stages"]')
            expect(second_stages).to_contain_text("Move to Qualified")
            page.locator("#tab-note").click()
            page.get_by_label("New note").fill("Asked for a tasting.")
            page.get_by_role("button", name="Add note").click()
            second_notes = second.locator('[data-offline-slot="pending-notes"]')
            expect(second_notes).to_contain_text("Asked for a tasting.")
            expect(second.locator("[data-offline-indicator]")).to_contain_text("Offline · 4 waiting")
            second.close()

            # Back online with something typed (no reload): the first move carries the page's updated_at, the
            # second the one the server answered to the first; the server refuses the second as stale.
            bodies: list[dict[str, Any]] = []
            ctx.route(f"**/api/v1/leads/{lead_id}", _fake_stage_answers(lead_id, bodies))
            page.get_by_label("New note").fill("Still typing")
            ctx.set_offline(False)
            status = page.locator("[data-offline-status]")
            expect(status).to_contain_text(
                "3 changes saved: Echo Eggs and Delta Dairy. 1 change was not applied."
            )
            expect(status.locator(".offline-status-message")).to_be_in_viewport()
            notice = page.get_by_role("alert").filter(has_text="was not applied")
            expect(notice).to_contain_text(f"Moving Delta Dairy to Qualified — {STALE}")
            assert bodies == [
                {
                    "stage_id": stages["Contacted"],
                    "expected_stage_id": stages["New"],
                    "expected_updated_at": seen_at,
                },
                {
                    "stage_id": stages["Qualified"],
                    "expected_stage_id": stages["Contacted"],
                    "expected_updated_at": SERVER_ANSWER_AT,
                },
            ]
            # "Saved on this device" goes once it was sent; nothing waits any more.
            expect(page.locator('[data-offline-slot="queued"]')).to_have_count(0)
            expect(indicator).to_have_text("Offline copy")  # still the cached page: the user is typing
            expect(page.get_by_label("New note")).to_have_value("Still typing")
            assert page.evaluate(QUEUE) == []

            # A note added on that cached page now is sent at once; the reload to the server's page keeps
            # the confirmation.
            page.get_by_label("New note").fill("Tasting booked for Friday.")
            page.get_by_role("button", name="Add note").click()
            sent_note = page.locator("#notes li.note:not(.is-pending)", has_text="Tasting booked")
            expect(sent_note).to_have_count(1)
            expect(page.locator('[data-offline-slot="banner"]')).to_have_count(0)
            expect(status).to_contain_text("1 change saved: Delta Dairy.")
            expect(indicator).to_be_hidden()
        finally:
            browser.close()
    assert _unexpected(errors, [e for e in errors if "status of 409" in e]) == [], errors


def test_offline_page_sign_in_again_and_sign_out_with_unsent_changes(
    live_server: str,  # noqa: F811
    settings: Settings,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
            ctx.set_default_timeout(TIMEOUT_MS)
            page = ctx.new_page()
            _watch_console(page, errors)
            _sign_up(page, live_server, "Sam Signout", "sam@signout.example", "Signout Sales")
            _open_lead(page, "Foxtrot Farm", "Fay Fox")
            _open_lead(page, "Golf Greens", "Gus Golf")
            page.goto("/")

            # The offline page lists the leads kept here (latest first); "Try again" asks for the same page.
            ctx.set_offline(True)
            page.goto("/leads")
            expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
            expect(page.locator("[data-offline-leads] a")).to_have_text(["Golf Greens", "Foxtrot Farm"])
            again = page.get_by_role("link", name="Try again")
            expect(again).to_have_attribute("href", f"{live_server}/leads")
            page.get_by_role("link", name="Foxtrot Farm").click()
            expect(page.get_by_role("heading", name="Foxtrot Farm", level=1)).to_be_visible()
            expect(page.locator('[data-offline-slot="banner"]')).to_contain_text("showing the copy from")
            page.get_by_label("New note").fill("Private words about Fay.")
            page.get_by_role("button", name="Add note").click()
            expect(page.locator('[data-offline-slot="queued"]')).to_have_text(SAVED)
            page.goto("/leads")
            expect(page.locator("[data-offline-waiting]")).to_have_text(
                "1 change is waiting on this device; it is sent when you are back online."
            )

            # Back online but the session is gone (the API says 401): the user is offered a way to sign in
            # that comes back here, and the change stays on this device.
            problem = {"type": "about:blank", "title": "Unauthorized", "status": 401, "detail": "Sign in."}
            ctx.route(
                "**/api/v1/leads/*/notes",
                lambda route: route.fulfill(
                    status=401, content_type="application/problem+json", body=json.dumps(problem)
                ),
            )
            ctx.set_offline(False)
            page.get_by_role("link", name="Try again").click()
            expect(page.get_by_role("heading", name="You are offline")).to_have_count(0)
            expect(page).to_have_url(f"{live_server}/leads")
            status = page.locator("[data-offline-status]")
            expect(status).to_contain_text("Sign in again to send the changes kept on this device.")
            sign_in = status.get_by_role("link", name="Sign in")
            expect(sign_in).to_have_attribute("href", "/login?next=%2Fleads")
            expect(page.locator("[data-offline-indicator]")).to_have_text("1 waiting to be sent")
            assert len(page.evaluate(QUEUE)) == 1

            # Signing out warns first; "Sign out anyway" deletes the queue along with the cached lead pages.
            page.locator("details.user-menu summary").click()
            page.get_by_role("button", name="Sign out").click()
            warning = page.locator('[data-offline-slot="sign-out"]')
            expect(warning).to_have_attribute("role", "alert")
            expect(warning).to_contain_text("1 change not yet sent will be lost if you sign out now.")
            expect(page).to_have_url(f"{live_server}/leads")
            warning.get_by_role("button", name="Send them first").click()
            expect(warning).to_contain_text(
                "1 change could not be sent now and will be lost if you sign out."
            )
            warning.get_by_role("button", name="Sign out anyway").click()
            page.wait_for_url(re.compile(r"/login"))
            assert page.evaluate(QUEUE) == []
            page.wait_for_function("() => caches.has('salesos-leads-v1').then(has => !has)")
            assert page.evaluate("() => sessionStorage.getItem('salesos-offline-notices')") is None
        finally:
            browser.close()
    assert _unexpected(errors, [e for e in errors if "status of 401" in e]) == [], errors
