"""The lead list's follow-up filter: "due" (planned for now or earlier) and "none" (nothing planned), on the
API, the List page and in a saved view, which keeps it relative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salesos.db.session import unit_of_work
from salesos.leads.models import Lead, SavedView
from tests.conftest import both_databases
from tests.web import test_board
from tests.web.test_board import make_leads, sign_in

API = "/api/v1"
browser = test_board.browser  # the fixture, shared with the board tests


def _seed(world):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    plan = {
        "Overdue Co": now - timedelta(days=2),
        "Now Co": now - timedelta(minutes=1),
        "Later Co": now + timedelta(days=3),
    }
    ids = {}
    for name, when in [*plan.items(), ("Unplanned Co", None)]:
        (ids[name],) = make_leads(world.alice, 1, name=name, next_follow_up_at=when)
    return ids


def _names(rows) -> set[str]:  # type: ignore[no-untyped-def]
    return {row["company_name"].removesuffix(" 0") for row in rows}


@both_databases
def test_the_api_filters_due_and_unplanned_leads(client, world):
    _seed(world)
    due = client.get(f"{API}/leads?follow_up=due&sort=next_follow_up_at", headers=world.alice.headers)
    assert due.status_code == 200
    assert [r["company_name"] for r in due.json()["items"]] == ["Overdue Co 0", "Now Co 0"]
    unplanned = client.get(f"{API}/leads?follow_up=none", headers=world.alice.headers).json()["items"]
    assert "Unplanned Co" in _names(unplanned) and not {"Overdue Co", "Now Co", "Later Co"} & _names(
        unplanned
    )
    bad = client.get(f"{API}/leads?follow_up=someday", headers=world.alice.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "follow_up"


def test_the_list_page_and_a_saved_view_keep_the_filter(client, browser, world):
    _seed(world)
    b = browser()
    token = sign_in(b, world.alice)
    page = b.get("/leads/list?follow_up=due").text
    assert '<option value="due" selected>Due now</option>' in page
    assert (
        "Overdue Co 0" in page
        and "Now Co 0" in page
        and "Later Co 0" not in page
        and "Unplanned Co" not in page
    )
    assert 'data-query="follow_up=due"' in page  # the export link and "Next" carry it
    assert page.count('class="is-due"') == 2  # the two due dates are marked as such

    saved = b.post("/leads/list/views", data={"name": "My queue", "follow_up": "due", "csrf_token": token})
    assert saved.status_code == 303
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        view = s.query(SavedView).filter(SavedView.name == "My queue").one()
        assert view.filters == {"follow_up": "due"}  # relative: "due" when the view is opened
    # Later, another lead falls due: the view shows it too.
    with unit_of_work(org_id=world.alice.org_id) as s:
        later = s.query(Lead).filter(Lead.next_follow_up_at > datetime.now(UTC)).one()
        later.next_follow_up_at = datetime.now(UTC) - timedelta(seconds=1)
    assert "Later Co 0" in b.get(f"/leads/list?view={view.id}").text


def test_the_board_marks_a_due_follow_up(client, browser, world):
    _seed(world)
    b = browser()
    sign_in(b, world.alice)
    board = b.get("/leads").text
    due = board.count('class="lead-card-follow is-due"')
    assert due == 2 and board.count('class="lead-card-follow"') == 1  # Later Co: planned, not due
