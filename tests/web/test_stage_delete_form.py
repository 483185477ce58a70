"""Settings → Pipelines, deleting a stage: only stages of its kind are offered for its leads, the confirmation
names the stage chosen and how many leads move, and the refusals read as sentences next to the stage."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from tests.browser.test_board import _new_lead
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    open_page,
    sign_up,
)
from tests.support.services import require
from tests.web import test_board
from tests.web.test_board import HTMX, make_leads, sign_in
from tests.web.test_pipeline_settings import PAGE, pipelines_of

browser = test_board.browser  # the fixture, shared with the board tests


def _delete_form(text: str, stage_id: uuid.UUID) -> str:
    match = re.search(rf'<form id="s-{stage_id}-delete".*?</form>', text, re.S)
    assert match, "the stage has a Delete form"
    return match.group(0)


def _confirm(form: str) -> str | None:
    match = re.search(r'data-confirm="([^"]*)"', form)
    return html.unescape(match.group(1)) if match else None


def _options(form: str) -> list[str]:
    return re.findall(r'<option value="[0-9a-f-]+"[^>]*>([^<]+)</option>', form)


def test_the_confirmation_names_the_chosen_stage_and_the_leads_that_move(client, browser, world):
    b = browser()
    sign_in(b, world.alice)
    sales = pipelines_of(world.alice)["Sales"]
    stages = sales["stages"]
    make_leads(world.alice, 25, name="Proposed", stage_id=stages["Proposal"])

    page = b.get(PAGE).text
    proposal = _delete_form(page, stages["Proposal"])
    # Only open stages may take open leads; before one is chosen the server asks for it, nothing to confirm.
    assert _options(proposal) == ["New", "Contacted", "Qualified"]
    assert _confirm(proposal) is None
    assert _options(_delete_form(page, stages["Won"])) == []
    assert "Only won stage" in _delete_form(page, stages["Won"])
    assert _options(_delete_form(page, stages["Lost"])) == []
    assert (
        _confirm(_delete_form(page, stages["Contacted"])) == "Delete the stage “Contacted”? It has no leads."
    )

    url = f"{PAGE}/{sales['id']}/stages/{stages['Proposal']}/delete-form"
    assert f'hx-get="{url}"' in proposal and 'hx-trigger="change"' in proposal
    chosen = b.get(url, params={"move_to": str(stages["Qualified"])}, headers=HTMX)
    assert chosen.status_code == 200 and "<html" not in chosen.text
    form = _delete_form(chosen.text, stages["Proposal"])
    assert _confirm(form) == "Delete “Proposal”? Its 25 leads move to “Qualified”."
    assert re.search(rf'<option value="{stages["Qualified"]}" selected>', form)
    # A stage of another kind (or nothing) chosen: no confirmation claims a move the server would refuse.
    other = b.get(url, params={"move_to": str(stages["Lost"])}, headers=HTMX)
    assert _confirm(_delete_form(other.text, stages["Proposal"])) is None


def test_refusals_show_next_to_the_stage(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice)
    sales = pipelines_of(world.alice)["Sales"]
    stages = sales["stages"]
    make_leads(world.alice, 2, name="Won deal", stage_id=stages["Won"])
    base = f"{PAGE}/{sales['id']}/stages"

    refused = b.post(
        f"{base}/{stages['Won']}/delete",
        data={"move_to": str(stages["Lost"]), "csrf_token": token},
        headers=HTMX,
    )
    assert refused.status_code == 409
    assert f'id="e-{stages["Won"]}-stage_id"' in refused.text
    assert "only won stage, where its won deals are counted" in html.unescape(refused.text)

    wrong_kind = b.post(
        f"{base}/{stages['Proposal']}/delete", data={"move_to": str(stages["Lost"]), "csrf_token": token}
    )
    assert wrong_kind.status_code == 422
    assert "Leads still being worked can only move to another open stage." in html.unescape(wrong_kind.text)
    assert set(pipelines_of(world.alice)["Sales"]["stages"]) == set(stages)


def test_only_admins_of_the_org_get_the_form(client, browser, world):
    sales = pipelines_of(world.alice)["Sales"]
    url = f"{PAGE}/{sales['id']}/stages/{sales['stages']['Proposal']}/delete-form"
    bob = browser()
    sign_in(bob, world.bob)
    assert bob.get(url).status_code == 403
    carol = browser()
    sign_in(carol, world.carol)
    a_pipeline, a_stage = world.ids["pipeline_id"], world.ids["stage_id"]
    theirs = carol.get(f"{PAGE}/{a_pipeline}/stages/{a_stage}/delete-form")
    ghost = carol.get(f"{PAGE}/{uuid.uuid4()}/stages/{a_stage}/delete-form")
    assert theirs.status_code == ghost.status_code == 404
    assert "Acme Alpha" not in theirs.text


def test_the_browser_asks_with_the_chosen_stage(live_server: str, settings: Any) -> None:  # noqa: F811
    """Under the real CSP: choosing where the leads go updates the question the Delete button asks."""
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    asked: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(chromium, live_server, errors)
            sign_up(page, live_server, "Dee Leter", "dee@deleter.example", "Deleter Ltd")
            _new_lead(page, "First Co", "Fay First", "1000")
            _new_lead(page, "Second Co", "Sid Second", "2000")

            def answer(dialog: Any) -> None:
                asked.append(dialog.message)
                dialog.accept()

            page.on("dialog", answer)
            page.goto(PAGE)
            row = page.locator(".stage-row", has=page.locator("input[value=New]"))
            with page.expect_response(lambda r: "/delete-form" in r.url):
                row.get_by_label("Move the leads of New to").select_option(label="Contacted")
            page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping')")
            row.get_by_role("button", name="Delete stage New").click()
            expect(page.get_by_role("status").first).to_have_text("Stage deleted.")
            assert asked == ["Delete “New”? Its 2 leads move to “Contacted”."]
            assert not errors, errors
        finally:
            chromium.close()
