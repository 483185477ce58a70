"""The lead workspace in a real browser: the composer's tabs (mouse and keyboard), the stage path (a lost
stage asks for its reason first), and what a Viewer gets."""

from __future__ import annotations

import re
from typing import Any

from salesos.config import Settings
from salesos.orgs.models import Role
from tests.browser.test_notifications import _signed_in
from tests.browser.test_shell import (  # noqa: F401  (live_server is a fixture used by name)
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
)
from tests.support.services import require
from tests.web.test_board import make_leads


def test_composer_tabs_and_stage_path(live_server: str, settings: Settings, world: Any) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    (lead_id,) = make_leads(world.alice, 1, name="Path Co")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            page.goto(f"/leads/{lead_id}")
            tabs = page.get_by_role("tablist", name="Record work on this lead")
            expect(tabs.get_by_role("tab")).to_have_count(3)  # no phone yet: no call tabs
            expect(tabs.get_by_role("tab", selected=True)).to_have_text("Note")
            note, task = page.get_by_label("New note"), page.get_by_role("textbox", name="Task", exact=True)
            expect(note).to_be_visible()
            expect(task).to_be_hidden()

            # Keyboard: arrows move along the tabs (wrapping), End goes to the last; the panel follows.
            tabs.get_by_role("tab", name="Note").focus()
            page.keyboard.press("ArrowRight")
            expect(tabs.get_by_role("tab", name="Task")).to_be_focused()
            expect(task).to_be_visible()
            expect(note).to_be_hidden()
            page.keyboard.press("End")
            expect(tabs.get_by_role("tab", name="Stage")).to_have_attribute("aria-selected", "true")
            page.keyboard.press("ArrowRight")
            expect(tabs.get_by_role("tab", name="Note")).to_be_focused()
            expect(note).to_be_visible()

            # "Add a task" on the Tasks card opens the Task tab with its first field ready.
            page.get_by_role("link", name="Add a task").click()
            expect(task).to_be_focused()
            task.fill("Send the proposal")
            # A quick time fills the due field as the form takes it (the reader's zone, here UTC).
            due = page.get_by_label("Due (UTC)")
            page.get_by_role("group", name="Quick times for the due time").get_by_role(
                "button", name="Tomorrow"
            ).click()
            expect(due).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}T09:00$"))
            page.get_by_role("button", name="Add task").click()
            expect(page.get_by_role("status")).to_contain_text("Task added.")
            expect(page.locator("#live-tasks")).to_contain_text("Send the proposal")
            # The page opens at the Tasks card and so does the focus: Tab goes on within that card.
            expect(page.locator("#tasks")).to_be_focused()
            page.keyboard.press("Tab")
            expect(page.get_by_role("link", name="Add a task")).to_be_focused()

            # The stage path: an open stage moves in one click; the stages behind it are marked passed.
            path = page.get_by_role("form", name="Pipeline stages")
            path.get_by_role("button", name="Move to Contacted").click()
            expect(page.get_by_role("status")).to_contain_text("Stage changed.")
            expect(path.locator("[aria-current=step]")).to_have_text("Contacted (current stage)")
            expect(path.locator(".stage-step.is-passed")).to_have_text(["Move to New"])

            # A lost stage asks for its reason first: the Stage tab opens on Lost, the reason focused.
            path.get_by_role("button", name="Move to Lost").click()
            expect(tabs.get_by_role("tab", name="Stage")).to_have_attribute("aria-selected", "true")
            expect(page.get_by_role("combobox", name="Stage", exact=True)).to_have_value(
                path.get_by_role("button", name="Move to Lost").get_attribute("value") or ""
            )
            reason = page.get_by_label("Lost reason")
            expect(reason).to_be_focused()
            expect(page.get_by_role("status")).to_contain_text("Stage changed.")  # nothing was sent yet
            reason.fill("Chose a cheaper tool")
            page.get_by_role("button", name="Change stage").click()
            expect(page.locator("#live-facts")).to_contain_text("Chose a cheaper tool")
            expect(path.locator("[aria-current=step]")).to_have_text("Lost (current stage)")
            # Lost from Contacted: New and Contacted were passed, the stages it never reached were not.
            expect(path.locator(".stage-step.is-passed")).to_have_text(["Move to New", "Move to Contacted"])

            # A refused form comes back at the lead's own address: a reload asks for the lead, not for
            # the POST-only address the form went to.
            tabs.get_by_role("tab", name="Task").click()
            task.fill("   ")
            page.get_by_role("button", name="Add task").click()
            expect(page.locator("#f-task-title-error, .field-error").first).to_be_visible()
            assert re.search(rf"/leads/{lead_id}(#.*)?$", page.url), page.url
            page.reload()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Path Co")
            refused = [e for e in errors if "status of 422" in e]
            assert len(refused) == 1  # the refused form's own answer, nothing else
            errors.remove(refused[0])
        finally:
            browser.close()
    assert not errors, errors


def test_a_viewer_sees_the_path_but_no_composer(live_server: str, settings: Settings, world: Any) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    (lead_id,) = make_leads(world.alice, 1, name="Viewed Co")
    world.bob.set_role(Role.VIEWER)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.bob, errors)
            page.goto(f"/leads/{lead_id}")
            path = page.get_by_role("group", name="Pipeline stages")
            expect(path.locator("[aria-current=step]")).to_have_text("New (current stage)")
            expect(path.get_by_role("button")).to_have_count(0)
            expect(page.get_by_role("tablist")).to_have_count(0)
            expect(page.get_by_role("button", name="Add note")).to_have_count(0)
        finally:
            browser.close()
    assert not errors, errors


def test_working_through_a_list_lead_by_lead(live_server: str, settings: Settings, world: Any) -> None:  # noqa: F811
    require("chromium")
    from playwright.sync_api import expect, sync_playwright

    for name, value in (("Small Co", 100), ("Big Co", 9000), ("Mid Co", 500), ("Other Co", 700)):
        make_leads(world.alice, 1, name=name, value=value, tags=["other" if name == "Other Co" else "hot"])
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, live_server, world.alice, errors)
            # The list of "hot" leads, biggest first: Big, Mid, Small (Other is not tagged hot).
            page.goto("/leads/list?tag=hot&sort=-value")
            page.locator("#list-results").get_by_role("link", name="Big Co 0").click()
            expect(page.get_by_role("heading", name="Big Co 0", level=1)).to_be_visible()
            back = page.get_by_role("link", name="← Back to the list")
            expect(back).to_have_attribute("href", "/leads/list?tag=hot&sort=-value")
            page.get_by_role("link", name="Next: Mid Co 0").click()
            expect(page.get_by_role("heading", name="Mid Co 0", level=1)).to_be_visible()

            # Work on the lead (a form posts and the page comes back): the way on is still there.
            page.get_by_label("New note").fill("Asked for a quote.")
            page.get_by_role("button", name="Add note").click()
            expect(page.get_by_role("status")).to_contain_text("Note added.")
            expect(page.get_by_role("link", name="Next: Small Co 0")).to_be_visible()
            page.locator("h1").click()
            page.keyboard.press("j")  # the keyboard way to the next lead
            expect(page.get_by_role("heading", name="Small Co 0", level=1)).to_be_visible()
            expect(page.locator("[data-next-lead-slot]")).to_contain_text("The last lead of the list")

            # Opened from the board, a lead belongs to no list: no Next, and Back goes to the pipeline.
            page.goto("/leads")
            page.locator(".lead-card", has_text="Other Co 0").get_by_role("link").click()
            expect(page.get_by_role("heading", name="Other Co 0", level=1)).to_be_visible()
            expect(page.get_by_role("link", name="← Pipeline")).to_be_visible()
            page.wait_for_timeout(300)
            expect(page.locator("[data-next-lead]")).to_have_count(0)
        finally:
            browser.close()
    assert not errors, errors
