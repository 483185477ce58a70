"""Scheduled calls reach the calendar feed: right UTC times, secret per user, revoked by regenerating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
from sqlalchemy import select

from salesos.api.middleware import loggable_path
from salesos.calendar.models import CalendarEvent
from salesos.db.session import unit_of_work
from salesos.orgs.models import Membership
from tests.conftest import both_databases
from tests.web import test_board
from tests.web.test_board import sign_in
from tests.web.test_lead_actions import make_lead

browser = test_board.browser  # the fixture, shared with the board tests
API = "/api/v1"


def _feed_path(client, person) -> str:  # type: ignore[no-untyped-def]
    url = client.post(f"{API}/calendar/feed", headers=person.headers).json()["url"]
    assert url.startswith("http://") and url.endswith(".ics")
    return "/" + url.split("/", 3)[3]


def _events(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "private" in response.headers["cache-control"]
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def _schedule(b, token, lead_id, when, **extra):  # type: ignore[no-untyped-def]
    data = {"call_at": when, "duration_minutes": "30", "notes": "Ask about the renewal", **extra}
    return b.post(f"/leads/{lead_id}/actions/schedule-call", data={**data, "csrf_token": token})


@both_databases
def test_a_scheduled_call_is_in_the_feed_at_the_right_utc_time(client, browser, world):
    alice = world.alice
    r = client.patch(f"{API}/auth/me", json={"timezone": "America/New_York"}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["timezone"] == "America/New_York"
    lead_id = make_lead(alice)
    b = browser()
    token = sign_in(b, alice)
    assert _schedule(b, token, lead_id, "2027-01-15T09:30").status_code == 303
    page = b.get(f"/leads/{lead_id}").text
    assert "Call at (America/New_York)" in page and "30 min" in page

    (event,) = _events(client, _feed_path(client, alice))
    # 09:30 in New York in January (EST, UTC-5) is 14:30 UTC.
    assert event.decoded("dtstart") == datetime(2027, 1, 15, 14, 30, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert str(event["summary"]) == "Call Zoë Ng (Ng & Co)"
    assert str(event["url"]).endswith(f"/leads/{lead_id}")
    assert "Ask about the renewal" in str(event["description"])
    assert str(event["uid"]).endswith("@salesos")

    listed = client.get(
        f"{API}/calendar/events",
        params={"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z"},
        headers=alice.headers,
    ).json()
    assert [e["starts_at"] for e in listed] == ["2027-01-15T14:30:00Z"]


@both_databases
def test_each_feed_shows_only_its_owners_events_and_regenerating_revokes(client, browser, world):
    alice, bob, carol = world.alice, world.bob, world.carol
    lead_id = make_lead(alice)
    b = browser()
    token = sign_in(b, alice)
    assert _schedule(b, token, lead_id, "2027-03-02T10:00").status_code == 303
    alice_path, bob_path, carol_path = (_feed_path(client, p) for p in (alice, bob, carol))
    assert len(_events(client, alice_path)) == 1
    assert _events(client, bob_path) == [] and _events(client, carol_path) == []
    assert client.get(f"{API}/calendar/events", headers=bob.headers).json() == []

    # A forged secret in Alice's org, or another org's prefix on Alice's secret, is simply not found.
    prefix, org_hex, secret = alice_path.removeprefix("/calendar/feed/").removesuffix(".ics").split("_", 2)
    carol_org_hex = carol_path.removeprefix("/calendar/feed/").split("_")[1]
    for forged in (f"{prefix}_{org_hex}_{'x' * len(secret)}", f"{prefix}_{carol_org_hex}_{secret}", "nope"):
        assert client.get(f"/calendar/feed/{forged}.ics").status_code == 404

    new_path = _feed_path(client, alice)
    assert client.get(alice_path).status_code == 404
    assert len(_events(client, new_path)) == 1
    assert client.get(f"{API}/calendar/feed", headers=alice.headers).json()["url"].endswith(new_path)


def test_a_feed_stops_when_its_user_leaves_and_tokens_stay_out_of_logs(client, world):
    bob = world.bob
    path = _feed_path(client, bob)
    assert client.get(path).status_code == 200
    with unit_of_work(org_id=bob.org_id) as session:
        session.delete(session.get(Membership, bob.member_id))
    assert client.get(path).status_code == 404
    assert loggable_path(path) == "/calendar/feed/[redacted]"


def test_the_settings_page_creates_shows_and_regenerates_the_address(client, browser, world):
    b = browser()
    token = sign_in(b, world.alice)
    assert "Create my calendar address" in b.get("/settings/calendar").text
    assert b.post("/settings/calendar/feed", data={"csrf_token": token}).status_code == 303
    page = b.get("/settings/calendar").text
    assert "/calendar/feed/cal_" in page and 'href="webcal://' in page
    again = b.post("/settings/calendar/feed", data={"csrf_token": token})
    assert again.headers["location"] == "/settings/calendar?done=new"


def test_bad_schedule_input_writes_nothing(client, browser, world):
    lead_id = make_lead(world.alice)
    b = browser()
    token = sign_in(b, world.alice)
    bad = _schedule(b, token, lead_id, "2027-01-15T09:30", duration_minutes="7")
    assert bad.status_code == 422 and 'id="f-call_duration-error"' in bad.text
    assert _schedule(b, token, lead_id, "soon").status_code == 422
    with unit_of_work(org_id=world.alice.org_id) as session:
        assert session.scalars(select(CalendarEvent).where(CalendarEvent.lead_id == lead_id)).all() == []
    r = client.patch(f"{API}/auth/me", json={"timezone": "Mars/Olympus"}, headers=world.alice.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "timezone"
