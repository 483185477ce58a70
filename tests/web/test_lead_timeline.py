"""The lead page's timeline and notes: plain words about what happened, every entry reachable page by page."""

from __future__ import annotations

import re
import uuid
from typing import Any

from salesos.auth.principal import Principal
from salesos.db.session import unit_of_work
from salesos.leads.repository import LeadRepository
from salesos.leads.service import work
from salesos.leads.timeline import NOTES_PAGE, TIMELINE_PAGE, snippet
from salesos.orgs.models import Role
from tests.conftest import both_databases
from tests.support.world import Person
from tests.web import test_board
from tests.web.test_board import sign_in
from tests.web.test_lead_actions import make_lead

browser = test_board.browser  # the fixture, shared with the board tests

OLDER = {
    "timeline": re.compile(r'id="timeline-older"><a [^>]*href="([^"]+)"'),
    "notes": re.compile(r'id="notes-older"><a [^>]*href="([^"]+)"'),
}


def add_notes(person: Person, lead_id: uuid.UUID, count: int) -> None:
    principal = Principal(org_id=person.org_id, role=Role.MEMBER, kind="token", user_id=person.user_id)
    with unit_of_work(org_id=person.org_id, user_id=person.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        for i in range(count):
            work.add_note(session, principal, lead, f"Note number {i:03d}: **called** them about the quote")


def pages(b: Any, html: str, section: str) -> list[str]:
    """*html* and every page its "Show older" links lead to, in order."""
    found = [html]
    for _ in range(10):
        older = OLDER[section].findall(found[-1])
        if not older:
            return found
        response = b.get(older[0].replace("&amp;", "&"))
        assert response.status_code == 200
        found.append(response.text)
    raise AssertionError("paging never ended")


@both_databases
def test_every_note_and_timeline_entry_is_reachable_page_by_page(client, browser, world):
    lead_id = make_lead(world.alice)
    add_notes(world.alice, lead_id, NOTES_PAGE + 5)
    b = browser()
    sign_in(b, world.alice)
    first = b.get(f"/leads/{lead_id}").text

    note_pages = pages(b, first, "notes")
    notes = [re.findall(r"Note number (\d{3}): <strong>", html) for html in note_pages]
    assert [len(found) for found in notes] == [NOTES_PAGE, 5]
    everything = [n for found in notes for n in found]
    assert everything == [f"{i:03d}" for i in reversed(range(NOTES_PAGE + 5))], "newest first, none twice"

    timeline_pages = pages(b, first, "timeline")
    entries = [re.findall(r"Added a note: “Note number (\d{3})", html) for html in timeline_pages]
    assert len(entries[0]) == TIMELINE_PAGE and sum(map(len, entries)) == NOTES_PAGE + 5
    assert "Created in New" not in first and "Created in New" in timeline_pages[-1]


def test_entries_say_which_note_and_which_task(client, browser, world):
    lead_id = make_lead(world.alice)
    principal = Principal(
        org_id=world.alice.org_id, role=Role.MEMBER, kind="token", user_id=world.alice.user_id
    )
    long_note = "Budget approved.\n\nThey want   the annual plan " + "and more " * 30
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        work.add_note(session, principal, lead, long_note)
        task = work.add_task(
            session, principal, lead, title="Send <the> contract", due_at=None, assignee_id=None
        )
        work.update_task(session, principal, lead, task, {"done": True})
    b = browser()
    sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    quoted = snippet(long_note)
    assert quoted.startswith("Budget approved. They want the annual plan") and quoted.endswith("…")
    assert len(quoted) <= 100 and f"Added a note: “{quoted}”" in page
    assert (
        "Added a task: Send &lt;the&gt; contract" in page
        and "Completed a task: Send &lt;the&gt; contract" in page
    )


def test_other_orgs_get_no_page_of_a_leads_history(client, browser, world):
    lead_id = make_lead(world.alice)
    carol = browser()
    sign_in(carol, world.carol)
    for path in ("timeline", "notes"):
        assert carol.get(f"/leads/{lead_id}/{path}").status_code == 404
        assert carol.get(f"/leads/{lead_id}/{path}?cursor=not-a-cursor").status_code in (404, 422)


def test_entries_name_the_new_owner_and_the_reason_and_notes_keep_the_pages_outline(client, browser, world):
    lead_id = make_lead(world.alice)
    api, headers = "/api/v1", world.alice.headers
    stages = {s["name"]: s["id"] for s in client.get(f"{api}/pipelines", headers=headers).json()[0]["stages"]}
    moves = [
        ("patch", f"{api}/leads/{lead_id}", {"owner_id": str(world.bob.user_id), "value": 10}),
        ("post", f"{api}/leads/bulk", {"ids": [str(lead_id)], "set": {"owner_id": None}}),
        ("patch", f"{api}/leads/{lead_id}", {"stage_id": stages["Lost"], "lost_reason": "Went with a rival"}),
        (
            "post",
            f"{api}/leads/{lead_id}/notes",
            {"body": "# Plan\n**Call** [Ann](https://ann.example) back"},
        ),
    ]
    for method, url, body in moves:
        assert getattr(client, method)(url, json=body, headers=headers).status_code in (200, 201)
    b = browser()
    sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert "Changed value; gave the lead to Bob Brooks" in page
    assert "Left it unowned" in page
    assert "Moved from New to Lost: Went with a rival" in page
    assert "Added a note: “Plan Call Ann back”" in page  # quoted as it reads, not as typed
    # The note's "# Plan" sits below the page's own headings: one h1 on the page.
    assert page.count("<h1") == 1 and "<h3>Plan</h3>" in page


def test_the_lead_page_marks_what_is_overdue(client, browser, world):
    from datetime import UTC, datetime, timedelta

    lead_id = make_lead(world.alice)
    principal = Principal(
        org_id=world.alice.org_id, role=Role.MEMBER, kind="token", user_id=world.alice.user_id
    )
    past, future = datetime.now(UTC) - timedelta(days=2), datetime.now(UTC) + timedelta(days=2)
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as session:
        lead = LeadRepository(session).get(lead_id)
        assert lead is not None
        work.add_task(session, principal, lead, title="Send the quote", due_at=past, assignee_id=None)
        work.add_task(session, principal, lead, title="Call back", due_at=future, assignee_id=None)
        lead.next_follow_up_at = past
    b = browser()
    sign_in(b, world.alice)
    page = b.get(f"/leads/{lead_id}").text
    assert page.count('class="task is-overdue"') == 1 and "overdue, was due" in page
    assert '<span class="overdue small">due now</span>' in page
    # Completing a task works the lead: the due follow-up goes, and the notice says so.
    from salesos.leads.models import Task

    with unit_of_work(write=False, org_id=world.alice.org_id) as session:
        task_id = (
            session.query(Task.id).filter(Task.lead_id == lead_id, Task.title == "Send the quote").scalar()
        )
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    done = b.post(f"/leads/{lead_id}/tasks/{task_id}/done", data={"csrf_token": token})
    assert done.status_code == 303 and "done=done-follow-up" in done.headers["location"]
    assert "the due follow-up is cleared" in b.get(done.headers["location"]).text
