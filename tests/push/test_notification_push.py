"""Notifications reach devices as Web Push: the decrypted payload is the notification, never another org's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesos.config import get_settings
from salesos.jobs.testing import drain
from tests.conftest import both_databases
from tests.push.fake_push_service import fake_push_service

API = "/api/v1"


@pytest.fixture
def push_service(app, monkeypatch):  # type: ignore[no-untyped-def]
    with fake_push_service() as service:
        monkeypatch.setenv("SALESOS_PUSH_EXTRA_HOSTS", "127.0.0.1")
        get_settings.cache_clear()
        yield service


def _subscribe(client, person, service, name):  # type: ignore[no-untyped-def]
    body = {**service.subscription(name), "label": f"{name}'s laptop"}
    assert client.post(f"{API}/push/subscriptions", json=body, headers=person.headers).status_code == 201


def _assign_to_bob(client, world):  # type: ignore[no-untyped-def]
    body = {
        "company": {"name": "Pushy Plumbing"},
        "contact": {"first_name": "Pat", "phone": "+1 512 555 0100"},
    }
    lead = client.post(f"{API}/leads", json=body, headers=world.alice.headers).json()
    r = client.patch(
        f"{API}/leads/{lead['id']}", json={"owner_id": str(world.bob.user_id)}, headers=world.alice.headers
    )
    assert r.status_code == 200
    return lead


@both_databases
def test_the_pushed_payload_is_the_notification_and_stays_in_its_org(client, world, push_service):
    _subscribe(client, world.bob, push_service, "bob")
    _subscribe(client, world.carol, push_service, "carol")
    lead = _assign_to_bob(client, world)
    drain()
    assert push_service.refusals == []
    (delivery,) = push_service.deliveries
    assert delivery.path == "/push/bob"  # never Carol's device, never Alice (the actor)
    (notification,) = client.get(f"{API}/notifications", headers=world.bob.headers).json()["items"]
    payload = delivery.payload
    assert payload["body"] == notification["text"] == "Alice Anders assigned Pushy Plumbing to you"
    assert payload["url"] == notification["url"] == f"/leads/{lead['id']}"
    assert payload["notification_id"] == notification["id"] and payload["phone"] == "+15125550100"

    # "Snooze 1 h": the signed address re-sends the same notification to the same device an hour later.
    assert client.post(payload["snooze_url"]).status_code == 204
    assert client.post(payload["snooze_url"] + "x").status_code == 404
    drain()
    assert len(push_service.deliveries) == 1
    drain(now=datetime.now(UTC) + timedelta(minutes=61))
    assert [d.payload["notification_id"] for d in push_service.deliveries] == [notification["id"]] * 2


def test_push_follows_the_preference_and_skips_what_was_read(client, world, push_service):
    _subscribe(client, world.bob, push_service, "bob")
    prefs = {"type": "lead_assigned", "in_app": True, "push": False, "email_digest": False}
    r = client.put(
        f"{API}/notifications/preferences", json={"preferences": [prefs]}, headers=world.bob.headers
    )
    assert r.status_code == 200, r.text
    _assign_to_bob(client, world)
    drain()
    assert push_service.deliveries == []
    assert client.get(f"{API}/notifications/unread-count", headers=world.bob.headers).json()["unread"] == 1

    r = client.put(
        f"{API}/notifications/preferences",
        json={"preferences": [{**prefs, "push": True}]},
        headers=world.bob.headers,
    )
    _assign_to_bob(client, world)
    client.post(f"{API}/notifications/read-all", headers=world.bob.headers)
    drain()
    assert push_service.deliveries == []  # read in the app before the push went out: nothing to show
