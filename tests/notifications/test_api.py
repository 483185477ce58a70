"""The notifications API: own notifications only, pagination, unread filter, read, read-all, preferences."""

from __future__ import annotations

import uuid

from salesos.db.session import unit_of_work
from salesos.leads.service import leads as lead_service
from salesos.notifications.service import notify
from tests.conftest import both_databases
from tests.notifications.helpers import new_lead
from tests.support.world import Person

API = "/api/v1/notifications"


def _notify(person: Person, actor: Person, count: int, lead_name: str = "Notify Co") -> uuid.UUID:
    lead_id = new_lead(actor, name=lead_name)
    with unit_of_work(org_id=person.org_id, user_id=actor.user_id) as session:
        lead = lead_service.lead_or_404(session, lead_id)
        for _ in range(count):
            notify(session, [person.user_id], "lead_assigned", lead=lead, actor_id=actor.user_id)
    return lead_id


@both_databases
def test_list_pages_newest_first_with_unread_filter_and_read(client, world):
    lead_id = _notify(world.bob, world.alice, 5)
    _notify(world.alice, world.bob, 1)
    first = client.get(API, params={"limit": 2}, headers=world.bob.headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["items"]) == 2 and body["next_cursor"]
    item = body["items"][0]
    assert item["text"] == "Alice Anders assigned Notify Co to you"
    assert item["lead_id"] == str(lead_id) and item["url"] == f"/leads/{lead_id}"
    assert item["actor_name"] == "Alice Anders" and item["read_at"] is None
    seen = [i["id"] for i in body["items"]]
    cursor = body["next_cursor"]
    while cursor:
        more = client.get(API, params={"limit": 2, "cursor": cursor}, headers=world.bob.headers).json()
        seen += [i["id"] for i in more["items"]]
        cursor = more["next_cursor"]
    assert len(seen) == 5 and seen == sorted(seen, reverse=True), "Bob sees his five, newest first"

    count = client.get(f"{API}/unread-count", headers=world.bob.headers)
    assert count.json() == {"unread": 5}
    read = client.post(f"{API}/{seen[1]}/read", headers=world.bob.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = client.post(f"{API}/{seen[1]}/read", headers=world.bob.headers)
    assert again.json()["read_at"] == read.json()["read_at"], "reading twice changes nothing"
    unread = client.get(API, params={"unread": "true"}, headers=world.bob.headers).json()["items"]
    assert [i["id"] for i in unread] == [s for s in seen if s != seen[1]]
    assert client.get(f"{API}/unread-count", headers=world.bob.headers).json() == {"unread": 4}

    done = client.post(f"{API}/read-all", headers=world.bob.headers)
    assert done.json() == {"marked": 4, "unread": 0}
    assert client.get(API, params={"unread": "true"}, headers=world.bob.headers).json()["items"] == []
    assert client.get(f"{API}/unread-count", headers=world.alice.headers).json() == {"unread": 1}


@both_databases
def test_someone_elses_notification_is_a_404_like_a_missing_one(client, world):
    _notify(world.alice, world.bob, 1)
    (alices,) = client.get(API, headers=world.alice.headers).json()["items"]
    for person in (world.bob, world.carol):
        on_real = client.post(f"{API}/{alices['id']}/read", headers=person.headers)
        on_ghost = client.post(f"{API}/{uuid.uuid4()}/read", headers=person.headers)
        assert on_real.status_code == on_ghost.status_code == 404
        assert on_real.json()["detail"] == on_ghost.json()["detail"]
        assert client.get(API, headers=person.headers).json()["items"] == []
        assert client.post(f"{API}/read-all", headers=person.headers).json()["marked"] == 0
    assert client.get(f"{API}/unread-count", headers=world.alice.headers).json() == {"unread": 1}


def test_preferences_defaults_save_and_refusals(client, world):
    got = client.get(f"{API}/preferences", headers=world.bob.headers)
    assert got.status_code == 200
    prefs = {p["type"]: p for p in got.json()["items"]}
    assert set(prefs) == {
        "lead_assigned",
        "stage_changed",
        "mention",
        "import_finished",
        "task_due",
        "work_handed_over",
        "role_changed",
    }
    assert all(p["in_app"] and p["push"] and not p["email_digest"] for p in prefs.values())
    assert prefs["import_finished"]["supports_push"] is False
    assert prefs["role_changed"]["supports_push"] is False, "a new role is told in the app only"

    change = {"type": "mention", "in_app": False, "push": False, "email_digest": True}
    saved = client.put(f"{API}/preferences", json={"preferences": [change]}, headers=world.bob.headers)
    assert saved.status_code == 200, saved.text
    mention = next(p for p in saved.json()["items"] if p["type"] == "mention")
    assert (mention["in_app"], mention["push"], mention["email_digest"]) == (False, False, True)
    again = client.put(f"{API}/preferences", json={"preferences": [change]}, headers=world.bob.headers)
    assert again.json() == saved.json(), "saving the same choice twice is one row, unchanged"
    alices = client.get(f"{API}/preferences", headers=world.alice.headers).json()["items"]
    assert next(p for p in alices if p["type"] == "mention")["in_app"] is True

    bad_type = {"preferences": [{**change, "type": "nope"}]}
    refused = client.put(f"{API}/preferences", json=bad_type, headers=world.bob.headers)
    assert refused.status_code == 422 and "nope" in refused.text
    extra = {"preferences": [{**change, "user_id": str(world.alice.user_id)}]}
    assert client.put(f"{API}/preferences", json=extra, headers=world.bob.headers).status_code == 422


def test_needs_a_person(client, world):
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/unread-count").status_code == 401
