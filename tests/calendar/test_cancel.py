"""A scheduled call can be called off or moved, and every copy follows: the lead page, the task and its
reminder, the ICS feed and the connected Google Calendar. Merging or deleting its lead loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from salesos.calendar.models import CalendarEvent
from salesos.db.session import unit_of_work
from salesos.jobs.testing import drain
from salesos.leads.models import Activity, Task
from tests.calendar import test_google
from tests.calendar.test_feed import API, _events, _feed_path
from tests.calendar.test_google import _connect, _schedule
from tests.conftest import both_databases
from tests.web import test_board
from tests.web.test_board import sign_in
from tests.web.test_lead_actions import make_lead

browser = test_board.browser  # the fixtures, shared with the board and Google tests
google = test_google.google


def _call_of(person, lead_id) -> tuple[CalendarEvent, Task | None]:  # type: ignore[no-untyped-def]
    with unit_of_work(org_id=person.org_id) as session:
        event = session.scalars(select(CalendarEvent).where(CalendarEvent.lead_id == lead_id)).one()
        task = session.get(Task, event.task_id) if event.task_id else None
        session.expunge_all()
        return event, task


def _call_on_google(browser, google, person):  # type: ignore[no-untyped-def]
    """Signed in, Google connected, a call scheduled on a new lead and pushed: (client, csrf, lead id)."""
    b = browser()
    token = sign_in(b, person)
    _connect(b, google)
    lead_id = make_lead(person)
    _schedule(b, token, lead_id)
    drain()
    return b, token, lead_id


def _scheduled_call(browser, person, google=None):  # type: ignore[no-untyped-def]
    """Signed in, a call scheduled on a new lead, not pushed yet (Google connected if given):
    (client, csrf, lead id, event)."""
    b = browser()
    token = sign_in(b, person)
    if google is not None:
        _connect(b, google)
    lead_id = make_lead(person)
    _schedule(b, token, lead_id)
    return b, token, lead_id, _call_of(person, lead_id)[0]


def _timeline_kinds(person, lead_id) -> list[str]:  # type: ignore[no-untyped-def]
    with unit_of_work(org_id=person.org_id) as session:
        return list(session.scalars(select(Activity.kind).where(Activity.lead_id == lead_id)))


def test_a_cancelled_call_leaves_the_page_the_task_the_feed_and_google(client, browser, world, google):
    alice = world.alice
    b, token, lead_id = _call_on_google(browser, google, alice)
    event, task = _call_of(alice, lead_id)
    assert task is not None and list(google.events) == [event.id.hex]
    page = b.get(f"/leads/{lead_id}").text
    assert f"/leads/{lead_id}/calls/{event.id}/cancel" in page

    cancelled = b.post(f"/leads/{lead_id}/calls/{event.id}/cancel", data={"csrf_token": token})
    assert cancelled.headers["location"] == f"/leads/{lead_id}?done=call-cancelled#tasks"
    drain()
    assert (
        google.events == {}
        and google.calls[-1] == f"DELETE /calendar/v3/calendars/primary/events/{event.id.hex}"
    )
    after, _ = _call_of(alice, lead_id)
    assert after.cancelled_at is not None and after.sequence == 1 and after.task_id is None
    with unit_of_work(org_id=alice.org_id) as session:  # the call's task, and so its reminder, is gone
        assert session.get(Task, task.id) is None
    page = b.get(f"/leads/{lead_id}?done=call-cancelled").text
    assert "Call cancelled." in page and "Cancelled a scheduled call" in page
    assert f"/calls/{event.id}/cancel" not in page
    # Subscribers replace their copy: same UID, higher SEQUENCE, STATUS:CANCELLED.
    (published,) = [
        e for e in _events(client, _feed_path(client, alice)) if str(e["uid"]) == f"{event.id}@salesos"
    ]
    assert str(published["status"]) == "CANCELLED" and int(published["sequence"]) == 1
    assert (
        client.get(
            f"{API}/calendar/events", params={"start": "2027-01-01T00:00:00Z"}, headers=alice.headers
        ).json()
        == []
    )

    # Cancelling again changes nothing and calls Google no more.
    calls = len(google.calls)
    assert client.delete(f"{API}/calendar/events/{event.id}", headers=alice.headers).status_code == 204
    drain()
    assert len(google.calls) == calls and _call_of(alice, lead_id)[0].sequence == 1
    assert _timeline_kinds(alice, lead_id).count("call_cancelled") == 1


def test_a_call_cancelled_before_its_push_never_reaches_google(client, browser, world, google):
    alice = world.alice
    *_, event = _scheduled_call(browser, alice, google)
    assert client.delete(f"{API}/calendar/events/{event.id}", headers=alice.headers).status_code == 204
    drain()  # the push job runs after the cancellation
    assert google.events == {} and not [c for c in google.calls if c.startswith(("POST", "PUT"))]


def test_a_push_in_flight_when_the_call_is_cancelled_is_undone_by_the_recheck(client, browser, world, google):
    """The cancellation's job can run while the first push is still inserting (it read the call before
    the cancel): it finds no remote id, removes by our key and looks again two minutes later."""
    alice = world.alice
    *_, event = _scheduled_call(browser, alice, google)
    assert client.delete(f"{API}/calendar/events/{event.id}", headers=alice.headers).status_code == 204
    drain()
    key = event.id.hex
    assert google.calls[-1] == f"DELETE /calendar/v3/calendars/primary/events/{key}"  # answered 404
    # Now the in-flight push lands: Google has the event and the push's commit records its id.
    google.events[key] = {"id": key, "summary": event.title}
    with unit_of_work(org_id=alice.org_id) as session:
        session.get(CalendarEvent, event.id).remote_id = key  # type: ignore[union-attr]
    drain(now=datetime.now(UTC) + timedelta(minutes=3))
    assert google.events == {}
    calls = len(google.calls)
    drain(now=datetime.now(UTC) + timedelta(minutes=10))  # and that was the last look
    assert len(google.calls) == calls


def test_only_its_user_or_an_admin_may_cancel_a_call(client, browser, world):
    alice, bob = world.alice, world.bob
    b, token, lead_id, event = _scheduled_call(browser, alice)
    cancel_form = f"/leads/{lead_id}/calls/{event.id}/cancel"
    bobs = browser()
    sign_in(bobs, bob)
    bobs_page = bobs.get(f"/leads/{lead_id}").text
    assert "Scheduled calls" in bobs_page and cancel_form not in bobs_page  # not his call, not an admin
    refused = client.delete(f"{API}/calendar/events/{event.id}", headers=bob.headers)  # bob is a member
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    unchanged, still = _call_of(alice, lead_id)
    assert unchanged.cancelled_at is None and unchanged.sequence == 0 and still is not None
    # Another lead's URL with this event's id is not found either.
    other = make_lead(alice)
    wrong = b.post(f"/leads/{other}/calls/{event.id}/cancel", data={"csrf_token": token})
    assert wrong.status_code == 404 and _call_of(alice, lead_id)[0].cancelled_at is None


def test_rescheduling_the_calls_task_moves_the_call_everywhere(client, browser, world, google):
    alice = world.alice
    _, _, lead_id = _call_on_google(browser, google, alice)
    event, task = _call_of(alice, lead_id)
    url = f"{API}/leads/{lead_id}/tasks/{task.id}"
    moved = client.patch(url, json={"due_at": "2027-01-16T11:00:00Z"}, headers=alice.headers)
    assert moved.status_code == 200
    drain()
    after, _ = _call_of(alice, lead_id)
    assert after.starts_at == datetime(2027, 1, 16, 11, 0, tzinfo=UTC) and after.sequence == 1
    assert google.events[event.id.hex]["start"] == {"dateTime": "2027-01-16T11:00:00Z"}
    assert google.events[event.id.hex]["end"] == {"dateTime": "2027-01-16T11:45:00Z"}  # still 45 minutes
    # A task without a time has no call left to make.
    assert client.patch(url, json={"due_at": None}, headers=alice.headers).status_code == 200
    drain()
    assert _call_of(alice, lead_id)[0].cancelled_at is not None and google.events == {}


def test_deleting_the_lead_takes_its_call_off_google(client, browser, world, google):
    alice = world.alice
    _, _, lead_id = _call_on_google(browser, google, alice)
    assert len(google.events) == 1
    assert client.delete(f"{API}/leads/{lead_id}", headers=alice.headers).status_code == 204
    drain()
    assert google.events == {}


@both_databases
def test_merging_leads_keeps_the_merged_leads_scheduled_call(client, browser, world):
    alice = world.alice
    b = browser()
    token = sign_in(b, alice)
    keep, other = make_lead(alice), make_lead(alice)
    _schedule(b, token, other)
    event, task = _call_of(alice, other)
    merged = client.post(
        f"{API}/leads/{keep}/merge", json={"other_lead_id": str(other)}, headers=alice.headers
    )
    assert merged.status_code == 200, merged.text
    with unit_of_work(org_id=alice.org_id) as session:
        moved = session.get(CalendarEvent, event.id)
        assert moved is not None and moved.lead_id == keep and moved.cancelled_at is None
        assert session.get(Task, task.id).lead_id == keep  # type: ignore[union-attr]
        assert (
            session.scalar(
                select(func.count()).select_from(CalendarEvent).where(CalendarEvent.lead_id == other)
            )
            == 0
        )
    assert f"/leads/{keep}/calls/{event.id}/cancel" in b.get(f"/leads/{keep}").text


def test_moving_a_call_from_the_lead_page_moves_its_task_reminder_and_google_copy(
    client, browser, world, google
):
    alice = world.alice
    b, token, lead_id = _call_on_google(browser, google, alice)
    event, task = _call_of(alice, lead_id)
    assert task is not None
    with unit_of_work(org_id=alice.org_id) as session:  # as if its reminder had gone out
        session.get(Task, task.id).reminded_at = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # type: ignore[union-attr]
    page = b.get(f"/leads/{lead_id}").text
    assert f"/leads/{lead_id}/calls/{event.id}/reschedule" in page
    moved = b.post(
        f"/leads/{lead_id}/calls/{event.id}/reschedule",
        data={"starts_at": "2027-01-20T16:15", "csrf_token": token},
    )
    assert moved.headers["location"] == f"/leads/{lead_id}?done=call-moved#tasks"
    drain()
    after, task_after = _call_of(alice, lead_id)
    new_time = datetime(2027, 1, 20, 16, 15, tzinfo=UTC)  # the org's timezone is UTC here
    assert after.starts_at == new_time and after.sequence == 1 and after.duration_minutes == 45
    assert task_after is not None and task_after.due_at == new_time and task_after.reminded_at is None
    assert google.events[event.id.hex]["start"] == {"dateTime": "2027-01-20T16:15:00Z"}
    assert google.events[event.id.hex]["end"] == {"dateTime": "2027-01-20T17:00:00Z"}
    assert "Moved a scheduled call" in b.get(f"/leads/{lead_id}?done=call-moved").text


def test_bad_or_forbidden_moves_change_nothing(client, browser, world):
    alice, bob = world.alice, world.bob
    b, token, lead_id, event = _scheduled_call(browser, alice)
    url = f"/leads/{lead_id}/calls/{event.id}/reschedule"
    for bad in ("", "next tuesday"):
        refused = b.post(url, data={"starts_at": bad, "csrf_token": token})
        assert refused.status_code == 422 and "Enter the new date and time." in refused.text
    api = f"{API}/calendar/events/{event.id}"
    assert (
        client.patch(api, json={"starts_at": "2027-02-01T10:00:00"}, headers=alice.headers).status_code == 422
    )
    assert (
        client.patch(
            api, json={"starts_at": "2027-02-01T10:00:00Z", "org_id": "x"}, headers=alice.headers
        ).status_code
        == 422
    )
    assert (
        client.patch(api, json={"starts_at": "2027-02-01T10:00:00Z"}, headers=bob.headers).status_code == 403
    )
    unchanged, _ = _call_of(alice, lead_id)
    assert unchanged.starts_at == event.starts_at and unchanged.sequence == 0
    moved = client.patch(api, json={"starts_at": "2027-02-01T10:00:00+01:00"}, headers=alice.headers)
    assert moved.status_code == 200 and moved.json()["starts_at"] == "2027-02-01T09:00:00Z"
    assert client.delete(api, headers=alice.headers).status_code == 204
    late = client.patch(api, json={"starts_at": "2027-02-02T10:00:00Z"}, headers=alice.headers)
    assert late.status_code == 409 and _call_of(alice, lead_id)[0].starts_at == datetime(
        2027, 2, 1, 9, 0, tzinfo=UTC
    )
