"""The lead List page's "Export CSV" (its own filters and sort) and the bulk Assign's explicit owner."""

from __future__ import annotations

import csv
import html
import io
import re

from salesos.config import Settings
from salesos.leads.list_views import UNASSIGN
from tests.browser.test_board import _new_lead
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    open_page,
    sign_up,
)
from tests.conftest import both_databases
from tests.support.services import require
from tests.web.test_board import browser, make_leads, sign_in  # noqa: F401
from tests.web.test_list import PAGE, _after_bulk, _lead

EXPORT = f"{PAGE}/export.csv"


def _export_link(page_html: str) -> str:
    """The href of the page's Export CSV button, unescaped."""
    match = re.search(r'id="export-csv" href="([^"]+)"', page_html)
    assert match, "the list offers an Export CSV button"
    return html.unescape(match.group(1))


def _rows(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, so spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@both_databases
def test_export_button_downloads_exactly_the_filtered_sorted_list(client, browser, world):  # noqa: F811
    bob = world.bob.user_id
    make_leads(world.alice, 3, name="Kept Co", tags=["export"], owner_id=bob)
    make_leads(world.alice, 1, name="=HYPERLINK(evil)", tags=["export"], owner_id=bob)
    make_leads(world.alice, 2, name="Other owner Co", tags=["export"])
    make_leads(world.alice, 2, name="Untagged Co", owner_id=bob)
    b = browser()
    sign_in(b, world.alice)
    page = b.get(PAGE, params={"tag": "export", "owner": str(bob), "sort": "-company_name"})
    link = _export_link(page.text)
    assert link.startswith(f"{EXPORT}?") and "tag=export" in link and "sort=-company_name" in link
    response = b.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response.content)
    companies = [r["company"] for r in rows]
    assert companies == ["Kept Co 2", "Kept Co 1", "Kept Co 0", "'=HYPERLINK(evil) 0"]
    assert {r["owner"] for r in rows} == {world.bob.name}
    # An unfiltered list exports every lead of the org (as many as the page counts); its link has no query.
    unfiltered = b.get(PAGE).text
    assert _export_link(unfiltered) == EXPORT
    total = re.search(r'id="list-count">(\d+) leads<', unfiltered)
    assert total and len(_rows(b.get(EXPORT).content)) == int(total.group(1)) >= 8


@both_databases
def test_export_is_read_only_and_never_crosses_orgs(client, browser, world):  # noqa: F811
    make_leads(world.alice, 2, name="Secret Alpha", tags=["x"])
    carol = browser()
    sign_in(carol, world.carol)
    rows = _rows(carol.get(EXPORT, params={"tag": "x"}).content)
    assert rows == []
    everything = carol.get(EXPORT)
    assert all(marker not in everything.text for marker in world.markers_a)
    assert "Secret Alpha" not in everything.text
    # Viewers may export what they may read.
    client.patch(
        f"/api/v1/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers
    )
    viewer = browser()
    sign_in(viewer, world.bob)
    assert 'id="export-csv"' in viewer.get(PAGE).text
    assert len(_rows(viewer.get(EXPORT, params={"tag": "x"}).content)) == 2
    # Signed out: no file.
    stranger = browser()
    assert stranger.get(EXPORT).status_code in (303, 401)


def test_bulk_owner_select_has_a_required_placeholder_and_explicit_nobody(client, browser, world):  # noqa: F811
    make_leads(world.alice, 1, name="Shown Co")
    b = browser()
    sign_in(b, world.alice)
    page = b.get(PAGE).text
    select = re.search(r'<select id="bulk-owner"[^>]*>(.*?)</select>', page, re.S)
    assert select and " required" in select.group(0).split(">")[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options[0] == ("", "Assign to…")
    assert options[1] == (UNASSIGN, "Nobody (unassign)")
    # The bar's other buttons skip the browser check, so the owner select never blocks Move or tags.
    for action in ("stage", "add_tag", "remove_tag"):
        button = re.search(rf'<button type="submit" name="action" value="{action}"[^>]*>', page)
        assert button and "formnovalidate" in button.group(0), action
    owner_button = re.search(r'<button type="submit" name="action" value="owner"[^>]*>', page)
    assert owner_button and "formnovalidate" not in owner_button.group(0)


@both_databases
def test_bulk_assign_without_an_owner_choice_is_refused_and_changes_nothing(client, browser, world):  # noqa: F811
    ids = make_leads(world.alice, 2, name="Owned Co", owner_id=world.bob.user_id)
    b = browser()
    token = sign_in(b, world.alice)
    form = {"csrf_token": token, "action": "owner", "ids": [str(i) for i in ids]}
    for missing in ({}, {"owner_id": ""}):
        refused = b.post(f"{PAGE}/bulk", data={**form, **missing})
        assert refused.status_code == 422
        assert "Choose an owner, or Nobody to unassign." in refused.text
        assert 'aria-invalid="true" aria-describedby="f-owner_id-error"' in refused.text
        assert all(_lead(world.alice, i).owner_id == world.bob.user_id for i in ids)
    # Nobody, chosen on purpose, unassigns; the refused form kept the ticked ids' owners until then.
    done = b.post(f"{PAGE}/bulk", data={**form, "owner_id": UNASSIGN})
    assert "Updated 2 of 2 leads." in _after_bulk(b, done)
    assert all(_lead(world.alice, i).owner_id is None for i in ids)
    # A named member still works as before.
    again = b.post(f"{PAGE}/bulk", data={**form, "owner_id": str(world.alice.user_id)})
    assert "Updated 2 of 2 leads." in _after_bulk(b, again) and all(
        _lead(world.alice, i).owner_id == world.alice.user_id for i in ids
    )


def test_assign_needs_a_choice_and_export_downloads_in_chromium(live_server: str, settings: Settings) -> None:  # noqa: F811
    """In a real browser: Assign stops at the placeholder, Move is not held up by it, Export downloads."""
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = open_page(chromium, live_server, errors, width=1680)
            sign_up(page, live_server, "Ola Owner", "ola@owner.example", "Owner Ltd")
            _new_lead(page, "Alpha Widgets", "Ann Alpha", "1200")
            _new_lead(page, "Beta Bakery", "Ben Beta", "3400")
            page.goto(f"{PAGE}?q=alpha")
            page.get_by_label("Select Alpha Widgets").check()

            owner = page.locator("#bulk-owner")
            expect(owner).to_have_value("")
            page.get_by_role("button", name="Assign", exact=True).click()
            assert owner.evaluate("el => !el.validity.valid"), "the browser holds the form at the placeholder"
            expect(page).to_have_url(f"{live_server}{PAGE}?q=alpha")

            page.locator("#bulk-stage").select_option(label="Contacted")
            page.get_by_role("button", name="Move", exact=True).click()
            expect(page.get_by_role("status").filter(has_text="Updated 1 of 1 leads.")).to_be_visible()
            # The outcome is said once: the address drops it (a reload would say it again).
            expect(page).to_have_url(f"{live_server}{PAGE}?q=alpha")

            # The bar shows once a lead is ticked again (it hides while nothing is). The new-lead form made
            # Ola the owner already, so the change to make is "Nobody".
            expect(page.locator("#bulk-owner")).to_be_hidden()
            page.get_by_label("Select Alpha Widgets").check()
            page.locator("#bulk-owner").select_option(label="Nobody (unassign)")
            page.get_by_role("button", name="Assign", exact=True).click()
            expect(page.get_by_role("status").filter(has_text="Updated 1 of 1 leads.")).to_be_visible()

            with page.expect_download() as download:
                page.get_by_role("link", name="Export CSV").click()
            path = download.value.path()
            rows = _rows(path.read_bytes())
            assert [r["company"] for r in rows] == ["Alpha Widgets"]
            assert rows[0]["stage"] == "Contacted" and rows[0]["owner"] == ""
        finally:
            chromium.close()
    assert not errors, errors


def test_bulk_result_is_a_reloadable_list_with_the_same_filters(client, browser, world):  # noqa: F811
    ids = make_leads(world.alice, 2, name="Reload Co", tags=["reload"])
    make_leads(world.alice, 1, name="Elsewhere Co")
    b = browser()
    token = sign_in(b, world.alice)
    form = {"csrf_token": token, "action": "add_tag", "bulk_tag": "seen", "ids": [str(i) for i in ids]}
    kept = {"tag": "reload", "sort": "company_name"}
    done = b.post(f"{PAGE}/bulk", data={**form, **kept})
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith(f"{PAGE}?") and "tag=reload" in location and "sort=company_name" in location
    first, reloaded = b.get(location), b.get(location)
    for shown in (first, reloaded):
        assert shown.status_code == 200 and "Updated 2 of 2 leads." in shown.text
        assert "Reload Co 0" in shown.text and "Elsewhere Co" not in shown.text
    assert _lead(world.alice, ids[0]).tags == ["reload", "seen"], "reloading did not apply it again"
    # Counts in the address only ever print as numbers.
    odd = b.get(PAGE, params={"done": "bulk", "updated": "<b>9</b>", "matched": "3"})
    assert "Updated 0 of 3 leads." in odd.text and "<b>9</b>" not in odd.text
