"""Google Calendar sync against a loopback Google: OAuth connect, pushed calls, refresh, retry, refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from salesos.calendar.models import CalendarConnection, CalendarEvent
from salesos.config import get_settings
from salesos.db.session import unit_of_work
from salesos.jobs.testing import drain
from tests.calendar.fake_google import CLIENT_ID, CLIENT_SECRET, fake_google
from tests.web import test_board
from tests.web.test_board import sign_in
from tests.web.test_lead_actions import make_lead

browser = test_board.browser  # the fixture, shared with the board tests


@pytest.fixture
def google(app, monkeypatch):  # type: ignore[no-untyped-def]
    with fake_google() as fake:
        for key, value in {
            "GOOGLE_CLIENT_ID": CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "GOOGLE_AUTH_URL": f"{fake.origin}/auth",
            "GOOGLE_TOKEN_URL": f"{fake.origin}/token",
            "GOOGLE_CALENDAR_API": f"{fake.origin}/calendar/v3",
        }.items():
            monkeypatch.setenv(f"SALESOS_{key}", value)
        get_settings.cache_clear()
        yield fake


def _connect(b, fake):  # type: ignore[no-untyped-def]
    """Walk the OAuth dance the way a browser would, Google's consent page aside."""
    start = b.get("/settings/calendar/google/connect")
    assert start.status_code == 303
    consent = urlsplit(start.headers["location"])
    query = parse_qs(consent.query)
    assert f"{consent.scheme}://{consent.netloc}{consent.path}" == f"{fake.origin}/auth"
    assert query["client_id"] == [CLIENT_ID] and query["access_type"] == ["offline"]
    assert query["redirect_uri"][0].endswith("/settings/calendar/google/callback")
    assert "calendar.events" in query["scope"][0]
    back = b.get(
        "/settings/calendar/google/callback", params={"code": fake.new_code(), "state": query["state"][0]}
    )
    assert back.headers["location"] == "/settings/calendar?done=google"
    return query["state"][0]


def _schedule(b, token, lead_id):  # type: ignore[no-untyped-def]
    data = {"call_at": "2027-01-15T09:30", "duration_minutes": "45", "notes": "Renewal", "csrf_token": token}
    assert b.post(f"/leads/{lead_id}/actions/schedule-call", data=data).status_code == 303


def test_a_scheduled_call_lands_in_google_calendar_once(client, browser, world, google):
    alice = world.alice
    b = browser()
    token = sign_in(b, alice)
    assert "Connect Google Calendar" in b.get("/settings/calendar").text
    _connect(b, google)
    assert "Connected" in b.get("/settings/calendar").text
    lead_id = make_lead(alice)
    _schedule(b, token, lead_id)
    drain()
    (event,) = google.events.values()
    assert event["summary"] == "Call Zoë Ng (Ng & Co)"
    # The org's timezone is UTC here: 09:30 is 09:30Z, and 45 minutes long.
    assert event["start"] == {"dateTime": "2027-01-15T09:30:00Z"}
    assert event["end"] == {"dateTime": "2027-01-15T10:15:00Z"}
    assert event["description"].startswith("Renewal") and event["description"].endswith(f"/leads/{lead_id}")
    with unit_of_work(org_id=alice.org_id) as session:
        stored = session.scalars(select(CalendarEvent).where(CalendarEvent.lead_id == lead_id)).one()
        assert stored.remote_id == stored.id.hex and stored.remote_synced_at is not None
        # A rerun (a retried job) updates the same event instead of adding a second one.
        from salesos.calendar.sync import push_event

        assert push_event(session, stored.id) == stored.id.hex
    assert len(google.events) == 1 and google.calls[-2:] == [
        "POST /calendar/v3/calendars/primary/events",
        f"PUT /calendar/v3/calendars/primary/events/{stored.id.hex}",
    ]


def test_an_expired_token_is_refreshed_and_a_busy_google_is_retried(client, browser, world, google):
    alice = world.alice
    b = browser()
    token = sign_in(b, alice)
    _connect(b, google)
    google.expire_access_tokens()
    google.busy_once = True
    _schedule(b, token, make_lead(alice))
    drain(raise_errors=False)
    assert google.events == {}  # 401 → refreshed → 503: left for the retry
    assert [r["grant_type"][0] for r in google.token_requests] == ["authorization_code", "refresh_token"]
    drain(now=datetime.now(UTC) + timedelta(minutes=5))
    assert len(google.events) == 1


def test_a_state_from_someone_else_or_a_revoked_grant_is_refused(client, browser, world, google):
    b = browser()
    sign_in(b, world.alice)
    state = parse_qs(urlsplit(b.get("/settings/calendar/google/connect").headers["location"]).query)["state"][
        0
    ]
    bob = browser()
    sign_in(bob, world.bob)
    stolen = bob.get("/settings/calendar/google/callback", params={"code": google.new_code(), "state": state})
    assert stolen.status_code == 422
    denied = b.get("/settings/calendar/google/callback", params={"error": "access_denied", "state": state})
    assert denied.headers["location"] == "/settings/calendar?done=google-denied"
    refused = b.get("/settings/calendar/google/callback", params={"code": "never-issued", "state": state})
    assert refused.status_code == 502 and "did not connect" in refused.text
    with unit_of_work(org_id=world.alice.org_id) as session:
        assert session.scalars(select(CalendarConnection)).all() == []


def test_without_credentials_the_page_says_so(client, browser, world):
    b = browser()
    sign_in(b, world.alice)
    page = b.get("/settings/calendar").text
    assert "SALESOS_GOOGLE_CLIENT_ID" in page and "Connect Google Calendar" not in page
    assert b.get("/settings/calendar/google/connect").status_code == 409
