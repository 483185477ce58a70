"""Notes and tasks past their creation: read one, edit a note (its author or an admin), delete either.

The timeline keeps what happened, mentions reach only the newly mentioned, and deleting a scheduled call's
task calls the call off."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from salesos.auth.principal import Principal
from salesos.calendar.models import CalendarEvent
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.leads.models import Note
from salesos.leads.service import actions as action_service
from salesos.leads.service import leads as lead_service
from salesos.notifications.models import Notification
from salesos.orgs.models import Role
from tests.conftest import both_databases

API = "/api/v1"


def _lead(client, person, **contact):  # type: ignore[no-untyped-def]
    body = {"company": {"name": "Globex"}, **({"contact": contact} if contact else {})}
    r = client.post(f"{API}/leads", json=body, headers=person.headers)
    assert r.status_code == 201, r.text
    return f"{API}/leads/{r.json()['id']}"


def _note(client, base, person, body):  # type: ignore[no-untyped-def]
    r = client.post(f"{base}/notes", json={"body": body}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _kinds(client, base, person):  # type: ignore[no-untyped-def]
    return [a["kind"] for a in client.get(f"{base}/timeline", headers=person.headers).json()["items"]]


def _stored_body(world, note_id):  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        note = s.get(Note, uuid.UUID(note_id))
        return None if note is None else note.body


@both_databases
def test_the_author_edits_and_deletes_a_note_others_may_not(client, world):
    base = _lead(client, world.alice)
    note = _note(client, base, world.bob, "Met at teh fair")
    url = f"{base}/notes/{note['id']}"
    assert note["edited_at"] is None
    assert client.get(url, headers=world.alice.headers).json()["body"] == "Met at teh fair"

    edited = client.patch(url, json={"body": "Met at the fair"}, headers=world.bob.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "Met at the fair" and edited.json()["edited_at"] is not None
    assert _kinds(client, base, world.alice)[0] == "note_edited"
    # The same text again changes nothing: no second timeline line.
    again = client.patch(url, json={"body": "Met at the fair"}, headers=world.bob.headers)
    assert again.status_code == 200 and _kinds(client, base, world.alice).count("note_edited") == 1

    # Alice's own note: Bob (a member, not its author) may neither edit nor delete it.
    hers = _note(client, base, world.alice, "Budget is 10k")
    hers_url = f"{base}/notes/{hers['id']}"
    refused = client.patch(hers_url, json={"body": "Budget is 1k"}, headers=world.bob.headers)
    assert refused.status_code == 403 and "author or an admin" in refused.json()["detail"]
    assert client.delete(hers_url, headers=world.bob.headers).status_code == 403
    assert _stored_body(world, hers["id"]) == "Budget is 10k"

    # Alice is the owner: an admin may tidy anyone's note.
    assert (
        client.patch(url, json={"body": "Met at the fair in May"}, headers=world.alice.headers).status_code
        == 200
    )

    assert client.delete(url, headers=world.bob.headers).status_code == 204
    assert client.get(url, headers=world.alice.headers).status_code == 404
    assert client.delete(url, headers=world.bob.headers).status_code == 404
    assert _stored_body(world, note["id"]) is None
    assert _kinds(client, base, world.alice)[0] == "note_deleted"


@both_databases
def test_bad_note_edits_change_nothing(client, world):
    base = _lead(client, world.alice)
    note = _note(client, base, world.alice, "First words")
    url = f"{base}/notes/{note['id']}"
    for body in (
        {"body": ""},
        {"body": "x" * 20_001},
        {"body": "ok", "author_id": str(world.bob.user_id)},
        {},
    ):
        r = client.patch(url, json=body, headers=world.alice.headers)
        assert r.status_code == 422, (body, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert _stored_body(world, note["id"]) == "First words"
    assert "note_edited" not in _kinds(client, base, world.alice)
    # A note is reached through its own lead only.
    other = _lead(client, world.alice)
    assert (
        client.patch(
            f"{other}/notes/{note['id']}", json={"body": "x"}, headers=world.alice.headers
        ).status_code
        == 404
    )


def test_a_viewer_may_read_a_note_but_not_change_it(client, world):
    base = _lead(client, world.alice)
    note = _note(client, base, world.bob, "Mine")
    demote = client.patch(
        f"{API}/members/{world.bob.member_id}", json={"role": "viewer"}, headers=world.alice.headers
    )
    assert demote.status_code == 200
    url = f"{base}/notes/{note['id']}"
    assert client.get(url, headers=world.bob.headers).status_code == 200
    assert client.patch(url, json={"body": "Changed"}, headers=world.bob.headers).status_code == 403
    assert client.delete(url, headers=world.bob.headers).status_code == 403
    assert _stored_body(world, note["id"]) == "Mine"


def _mentions_of(world, person) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=person.org_id, user_id=person.user_id) as s:
        stmt = select(func.count()).where(
            Notification.user_id == person.user_id, Notification.type == "mention"
        )
        return int(s.scalar(stmt) or 0)


def test_an_edit_notifies_only_the_newly_mentioned(client, world):
    base = _lead(client, world.alice)
    note = _note(client, base, world.alice, "Pricing call next week")
    url = f"{base}/notes/{note['id']}"
    client.patch(url, json={"body": "Pricing call next week, @Bob joins"}, headers=world.alice.headers)
    assert _mentions_of(world, world.bob) == 1
    client.patch(url, json={"body": "Pricing call on Tuesday, @Bob joins"}, headers=world.alice.headers)
    assert _mentions_of(world, world.bob) == 1, "a typo fix must not mention Bob again"


@both_databases
def test_deleting_a_task_and_the_call_scheduled_with_it(client, world):
    base = _lead(client, world.alice, first_name="Tia", phone="+12125550199")
    task = client.post(f"{base}/tasks", json={"title": "Send the deck"}, headers=world.alice.headers).json()
    url = f"{base}/tasks/{task['id']}"
    assert client.get(url, headers=world.bob.headers).json()["title"] == "Send the deck"
    assert client.delete(url, headers=world.bob.headers).status_code == 204
    assert client.get(url, headers=world.bob.headers).status_code == 404
    assert _kinds(client, base, world.alice)[0] == "task_deleted"

    # A scheduled call is a task and a calendar event: deleting the task calls the call off.
    lead_id = uuid.UUID(base.rsplit("/", 1)[1])
    principal = Principal(
        org_id=world.alice.org_id, role=Role.OWNER, kind="token", user_id=world.alice.user_id
    )
    with unit_of_work(org_id=world.alice.org_id, user_id=world.alice.user_id) as s:
        lead = lead_service.lead_or_404(s, lead_id)
        call = action_service.schedule_call(s, principal, lead, utcnow() + timedelta(days=1))
        call_id = call.id
    assert client.delete(f"{base}/tasks/{call_id}", headers=world.alice.headers).status_code == 204
    with unit_of_work(write=False, org_id=world.alice.org_id) as s:
        events = list(s.scalars(select(CalendarEvent).where(CalendarEvent.lead_id == lead_id)))
    assert len(events) == 1 and events[0].cancelled_at is not None and events[0].task_id is None
