"""The lead list's follow-up filter: "due" (planned for now or earlier), "today" (before the reader's
midnight) and "none" (nothing planned), on the API, the List page and in a saved view, which keeps it
relative."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from salesos.auth.models import User
from salesos.db.session import unit_of_work
from salesos.leads.models import Lead, SavedView
from salesos.leads.zones import day_bounds
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
    # A won or lost lead's old date is no longer a to-do, as on the dashboard.
    closed = {
        name: stage for name, stage in test_board.stages_of(world.alice).items() if name in ("Won", "Lost")
    }
    (won,) = make_leads(
        world.alice, 1, name="Won Co", next_follow_up_at=datetime.now(UTC) - timedelta(days=1)
    )
    moved = client.patch(
        f"{API}/leads/{won}", json={"stage_id": str(closed["Won"])}, headers=world.alice.headers
    )
    assert moved.status_code == 200, moved.text
    for when in ("due", "today"):
        listed = client.get(f"{API}/leads?follow_up={when}", headers=world.alice.headers).json()["items"]
        assert "Won Co" not in _names(listed) and "Overdue Co" in _names(listed)
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


@both_databases
def test_today_ends_at_the_readers_midnight_theirs_else_the_orgs(client, world):
    """ "today" runs to the next midnight where the caller is: their own zone, else the organisation's."""
    alice, bob = world.alice, world.bob
    with unit_of_work(org_id=alice.org_id) as s:
        s.get_one(User, alice.user_id).timezone = "Etc/GMT-12"  # UTC+12; the org and bob stay on UTC
    now = datetime.now(UTC)
    alices_end, orgs_end = day_bounds("Etc/GMT-12", now)[1], day_bounds("UTC", now)[1]
    assert alices_end != orgs_end  # twelve hours apart, one way or the other
    make_leads(alice, 1, name="Alice Last", next_follow_up_at=alices_end - timedelta(minutes=1))
    make_leads(alice, 1, name="Org Last", next_follow_up_at=orgs_end - timedelta(minutes=1))
    make_leads(alice, 1, name="Tomorrow", next_follow_up_at=max(alices_end, orgs_end) + timedelta(hours=1))
    make_leads(alice, 1, name="Unplanned")

    def today_for(person) -> set[str]:  # type: ignore[no-untyped-def]
        response = client.get(f"{API}/leads?follow_up=today", headers=person.headers)
        assert response.status_code == 200
        return _names(response.json()["items"])

    assert today_for(alice) == {"Alice Last"} | ({"Org Last"} if orgs_end < alices_end else set())
    assert today_for(bob) == {"Org Last"} | ({"Alice Last"} if alices_end < orgs_end else set())
    now_due = client.get(f"{API}/leads?follow_up=due", headers=alice.headers).json()["items"]
    assert not {"Alice Last", "Org Last"} & _names(now_due)  # later today is not due yet


def test_the_dashboard_sends_its_follow_ups_to_the_list_of_todays(client, browser, world):
    b = browser()
    sign_in(b, world.alice)
    later_today = day_bounds("UTC", datetime.now(UTC))[1] - timedelta(seconds=30)
    make_leads(world.alice, 9, name="Due Co", owner_id=world.alice.user_id, next_follow_up_at=later_today)
    dashboard = b.get("/").text  # nine due, eight shown: the rest are a link away
    link = f"/leads/list?owner={world.alice.user_id}&amp;follow_up=today&amp;sort=next_follow_up_at"
    assert f'<a href="{link}">All 9 follow-ups due</a>' in dashboard
    page = b.get(link.replace("&amp;", "&")).text
    assert '<option value="today" selected>Due today</option>' in page
    assert set(re.findall(r"Due Co \d", page)) == {f"Due Co {i}" for i in range(9)}


def test_a_won_or_lost_leads_old_follow_up_is_not_marked_due(client, browser, world):
    past = datetime.now(UTC) - timedelta(days=2)
    (open_lead,) = make_leads(world.alice, 1, name="Open Co", next_follow_up_at=past)
    (won_lead,) = make_leads(world.alice, 1, name="Won Co", next_follow_up_at=past)
    won = test_board.stages_of(world.alice)["Won"]
    moved = client.patch(f"{API}/leads/{won_lead}", json={"stage_id": str(won)}, headers=world.alice.headers)
    assert moved.status_code == 200, moved.text
    b = browser()
    sign_in(b, world.alice)

    def marked(html: str, start: str, lead_id: object) -> bool:
        part = html.split(f'{start}{lead_id}"', 1)[1]
        return "is-due" in part.split("</article>" if start == 'id="card-' else "</tr>", 1)[0]

    board = b.get("/leads").text
    assert marked(board, 'id="card-', open_lead) and not marked(board, 'id="card-', won_lead)
    listed = b.get("/leads/list").text
    assert marked(listed, 'id="row-', open_lead) and not marked(listed, 'id="row-', won_lead)
