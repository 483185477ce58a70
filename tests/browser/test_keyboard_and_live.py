"""Two users and a keyboard on the lead workspace: forms that follow another user's changes (and the
server refusing a stale one), a lead deleted under an open page, board heads after a deletion, [ / ]
through open stages only, moves while offline, search to results, and the new, edit and note keys."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx

from salesos.config import Settings
from salesos.leads.models import Lead
from tests.browser.test_notifications import _signed_in
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
)
from tests.support.services import require
from tests.support.world import Person
from tests.web.test_board import count_rows, make_leads, stages_of

OFFLINE = "You are offline: moves need a connection. Try again when you are back online."


def _api(base_url: str, person: Person, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """*person*'s change through the API: another user, elsewhere, as the page under test sees it."""
    response = httpx.request(method, f"{base_url}{path}", headers=person.headers, timeout=10, **kwargs)
    assert response.status_code < 300, response.text
    return response


def _live(page: Any) -> None:
    """Wait until the page's realtime stream is open (live.js), so no hint is sent before it listens."""
    page.locator("html[data-live=true]").wait_for(state="attached")


def test_the_stage_and_owner_forms_follow_another_users_changes(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    (lead_id,) = make_leads(world.alice, 1, name="Maple")
    stage_ids = stages_of(world.alice)
    stage = {name: str(sid) for name, sid in stage_ids.items()}
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.goto(f"/leads/{lead_id}")
            _live(page)
            page.get_by_role("tab", name="Stage").click()
            select = page.get_by_role("combobox", name="Stage", exact=True)
            expected = page.locator('#stage-form input[name="expected_stage_id"]')
            expect(select).to_have_value(stage["New"])

            # Bob moves the lead on: the header and the untouched Stage form both say Proposal.
            _api(
                live_server,
                world.bob,
                "PATCH",
                f"/api/v1/leads/{lead_id}",
                json={"stage_id": stage["Proposal"]},
            )
            expect(page.locator("#live-facts")).to_contain_text("Proposal")
            expect(select).to_have_value(stage["Proposal"])
            expect(expected).to_have_value(stage["Proposal"])

            # A keyboard user waiting on "Change stage": the form follows in place, the focus stays, and
            # pressing it changes nothing (it used to send the lead back to New).
            button = page.get_by_role("button", name="Change stage")
            button.focus()
            _api(
                live_server,
                world.bob,
                "PATCH",
                f"/api/v1/leads/{lead_id}",
                json={"stage_id": stage["Qualified"]},
            )
            expect(select).to_have_value(stage["Qualified"])
            expect(button).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.locator("#main .alert")).to_contain_text(
                "Nothing changed: the lead is already at that stage."
            )
            assert count_rows(world.alice, Lead, id=lead_id, stage_id=stage_ids["Qualified"]) == 1

            # The Owner form follows too.
            _live(page)
            owner = page.locator("#f-owner_id")
            expect(owner).to_have_value("")
            _api(
                live_server,
                world.bob,
                "PATCH",
                f"/api/v1/leads/{lead_id}",
                json={"owner_id": str(world.bob.user_id)},
            )
            expect(owner).to_have_value(str(world.bob.user_id))
            expect(page.locator('#owner-form input[name="expected_owner_id"]')).to_have_value(
                str(world.bob.user_id)
            )

            # A choice the user has started is theirs: the form keeps it, and the server refuses it, since
            # it was made against a stage the lead has left, naming who moved it and showing where it is.
            page.get_by_role("tab", name="Stage").click()
            select.select_option(label="Contacted")
            _api(live_server, world.bob, "PATCH", f"/api/v1/leads/{lead_id}", json={"stage_id": stage["Won"]})
            expect(page.locator("#live-facts")).to_contain_text("Won")
            expect(select).to_have_value(stage["Contacted"])
            page.get_by_role("button", name="Change stage").click()
            expect(page.locator("#f-stage_id-error")).to_have_text(
                "Bob Brooks moved this lead to Won meanwhile; look again before changing it."
            )
            expect(select).to_have_value(stage["Won"])
            assert count_rows(world.alice, Lead, id=lead_id, stage_id=stage_ids["Won"]) == 1
            refused = [e for e in errors if "status of 409" in e]
            assert len(refused) == 1, errors  # the refused form's own answer
            errors.remove(refused[0])
        finally:
            browser.close()
    assert not errors, errors


def test_a_lead_deleted_meanwhile_keeps_the_typed_note_and_sends_nothing(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    (lead_id,) = make_leads(world.alice, 1, name="Gone")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.goto(f"/leads/{lead_id}")
            _live(page)
            note = page.get_by_label("New note")
            note.fill("Wants a call on Monday about the renewal.")

            _api(live_server, world.bob, "DELETE", f"/api/v1/leads/{lead_id}")
            expect(page.locator("#flash")).to_contain_text("This lead was deleted or merged into another one")
            # What was typed stays, readable and copyable; nothing can be sent any more.
            expect(note).to_have_value("Wants a call on Monday about the renewal.")
            expect(note).to_have_js_property("readOnly", True)
            expect(page.get_by_role("button", name="Add note")).to_be_disabled()
            expect(page.get_by_role("button", name="Assign owner")).to_be_disabled()
            note.focus()
            page.keyboard.press("Control+Enter")
            page.wait_for_timeout(300)  # a submit would have left the page by now
            expect(page).to_have_url(f"{live_server}/leads/{lead_id}")
            expect(note).to_have_value("Wants a call on Monday about the renewal.")
        finally:
            browser.close()
    assert not errors, errors


def test_board_heads_follow_a_deletion_elsewhere(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    first, _second = make_leads(world.alice, 2, name="Pine", value=Decimal(1000))
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.goto("/leads?q=Pine")  # the world's other leads are not counted
            _live(page)
            new = page.locator(".board-column", has=page.get_by_role("heading", name="New", exact=True))
            expect(new.locator(".column-count")).to_have_text("2")
            expect(new.locator(".column-total")).to_have_text("2,000 USD")

            _api(live_server, world.bob, "DELETE", f"/api/v1/leads/{first}")
            expect(page.locator(f"#card-{first}")).to_have_count(0)
            expect(new.locator(".column-count")).to_have_text("1")
            expect(new.locator(".column-total")).to_have_text("1,000 USD")
        finally:
            browser.close()
    assert not errors, errors


def test_keys_step_through_open_stages_and_a_move_offline_says_so(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    stage = {name: str(sid) for name, sid in stages_of(world.alice).items()}
    won, lost, step, fresh = (
        make_leads(world.alice, 1, name=name)[0] for name in ("Won", "Lost", "Step", "Fresh")
    )
    moves = {won: {"stage_id": stage["Won"]}, step: {"stage_id": stage["Proposal"]}}
    moves[lost] = {"stage_id": stage["Lost"], "lost_reason": "No budget"}
    for lead_id, body in moves.items():
        _api(live_server, world.alice, "PATCH", f"/api/v1/leads/{lead_id}", json=body)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.goto("/leads")
            _live(page)
            status = page.locator("#board-status")
            sent: list[str] = []
            page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)

            def column(name: str) -> Any:
                return page.locator(f'.board-column[data-stage-id="{stage[name]}"]')

            # Won and Lost are outcomes: ] from Won and either key on Lost go nowhere, and say why.
            page.locator(f"#card-{won}").focus()
            page.keyboard.press("]")
            expect(status).to_have_text(re.compile(r"^Won is an outcome, not a step"))
            page.locator(f"#card-{lost}").focus()
            for key in ("[", "]"):
                status.evaluate("s => { s.textContent = ''; }")
                page.keyboard.press(key)
                expect(status).to_have_text(re.compile(r"^Lost is an outcome, not a step"))
            expect(page.locator("#lost-dialog")).not_to_be_visible()
            # The first stage has nothing before it.
            page.locator(f"#card-{fresh}").focus()
            page.keyboard.press("[")
            expect(status).to_have_text("New is the first stage: there is none before it.")
            assert sent == []
            expect(column("Won").locator(f"#card-{won}")).to_be_visible()
            expect(column("Lost").locator(f"#card-{lost}")).to_be_visible()

            # [ takes Won back to the last open stage; ] from the last open stage closes as won.
            page.locator(f"#card-{won}").focus()
            page.keyboard.press("[")
            expect(column("Proposal").locator(f"#card-{won}")).to_be_visible()
            page.locator(f"#card-{step}").focus()
            page.keyboard.press("]")
            expect(column("Won").locator(f"#card-{step}")).to_be_visible()
            expect(status).to_have_text("Moved to Won.")

            # Offline, a move says so plainly (nothing is sent), and the message goes once back online.
            sent.clear()
            page.context.set_offline(True)
            page.locator(f"#card-{fresh}").focus()
            page.keyboard.press("]")
            expect(status).to_have_text(OFFLINE)
            assert sent == []
            expect(column("New").locator(f"#card-{fresh}")).to_be_visible()
            page.context.set_offline(False)
            expect(status).to_have_text("")
        finally:
            browser.close()
    # The realtime stream logs its own failed reconnects while the network is cut.
    assert not [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e], errors


def test_from_the_search_box_to_the_results_by_keyboard(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    make_leads(world.alice, 2, name="Maple")
    make_leads(world.alice, 3, name="Oak")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            # The list: / then a search; ArrowDown goes to the first row, and j on from there.
            page.goto("/leads/list")
            page.locator("h1").click()
            page.keyboard.press("/")
            search = page.get_by_label("Search")
            expect(search).to_be_focused()
            page.keyboard.type("Maple")
            expect(page.locator("#list-count")).to_have_text("2 leads")
            rows = page.locator("#list-rows tr[data-lead-id] a")
            page.keyboard.press("ArrowDown")
            expect(rows.first).to_be_focused()
            page.keyboard.press("j")
            expect(rows.nth(1)).to_be_focused()

            # Enter right after typing sends the search, and the focus follows to its first result.
            page.locator("h1").click()
            page.keyboard.press("/")
            page.keyboard.type("Oak")
            page.keyboard.press("Enter")
            expect(page.locator("#list-count")).to_have_text("3 leads")
            expect(rows.first).to_be_focused()
            expect(rows.first).to_contain_text("Oak")

            # The board: Enter once the cards are shown goes to the first card; j goes on.
            page.goto("/leads")
            page.locator("h1").click()
            page.keyboard.press("/")
            page.keyboard.type("Maple")
            cards = page.locator(".lead-card")
            expect(cards).to_have_count(2)
            page.keyboard.press("Enter")
            expect(cards.first).to_be_focused()
            page.keyboard.press("j")
            expect(cards.nth(1)).to_be_focused()
        finally:
            browser.close()
    assert not errors, errors


def test_new_and_edit_open_at_their_first_field_and_c_writes_a_note(
    live_server: str,  # noqa: F811
    settings: Settings,
    world: Any,
) -> None:
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    (lead_id,) = make_leads(world.alice, 1, name="Birch")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.goto(f"/leads/{lead_id}")
            # e: the edit page opens with its first field focused.
            page.locator("h1").click()
            page.keyboard.press("e")
            expect(page).to_have_url(re.compile(r"/leads/[0-9a-f-]+/edit$"))
            expect(page.get_by_label("Name", exact=True)).to_be_focused()
            page.go_back()

            # c: the note box, its tab opened first when another one is; ? lists it.
            page.get_by_role("tab", name="Task").click()
            page.locator("h1").click()
            page.keyboard.press("?")
            dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
            expect(dialog).to_contain_text("Write a note on the lead")
            page.keyboard.press("Escape")
            page.keyboard.press("c")
            note = page.get_by_label("New note")
            expect(note).to_be_focused()
            # Ctrl+Enter adds it; Enter alone is a new line.
            page.keyboard.type("Ready to sign.")
            page.keyboard.press("Enter")
            page.keyboard.type("Needs the contract by Friday.")
            page.keyboard.press("Control+Enter")
            expect(page.locator("#main .alert")).to_contain_text("Note added.")
            expect(page.locator(".note-body").first).to_have_text(
                "Ready to sign.\nNeeds the contract by Friday."
            )

            # n: the new-lead form opens in Company name.
            page.locator("h1").click()
            page.keyboard.press("n")
            expect(page).to_have_url(f"{live_server}/leads/new")
            expect(page.get_by_label("Company name")).to_be_focused()
        finally:
            browser.close()
    assert not errors, errors
