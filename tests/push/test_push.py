"""Web Push end to end against a loopback push service: VAPID checked, payload decrypted, 410 cleans up."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from salesos.config import get_settings
from salesos.db.session import unit_of_work
from salesos.integrations.models import ApiUsage
from salesos.integrations.push import vapid
from salesos.jobs.testing import drain
from salesos.push.jobs import TEST_PAYLOAD
from tests.conftest import both_databases
from tests.push.fake_push_service import fake_push_service

API = "/api/v1"


@pytest.fixture
def push_service(app, monkeypatch):  # type: ignore[no-untyped-def]
    with fake_push_service() as service:
        # The loopback fake is the one extra push service these tests allow.
        monkeypatch.setenv("SALESOS_PUSH_EXTRA_HOSTS", "127.0.0.1")
        get_settings.cache_clear()
        yield service


def _subscribe(client, person, body):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/push/subscriptions", json={**body, "label": "Chrome on Linux"}, headers=person.headers
    )


@both_databases
def test_a_push_arrives_encrypted_with_a_valid_vapid_token(client, world, push_service):
    person = world.bob  # Alice already has a device: the isolation battery's id factory made one
    assert _subscribe(client, person, push_service.subscription("bob")).status_code == 201
    r = client.post(f"{API}/push/test", headers=person.headers)
    assert r.status_code == 202 and r.json() == {"devices": 1}
    drain()
    assert push_service.refusals == []
    (delivery,) = push_service.deliveries
    assert delivery.payload == TEST_PAYLOAD
    assert delivery.claims["aud"] == push_service.origin and delivery.claims["sub"].startswith("mailto:")
    assert delivery.headers["ttl"] == "600" and delivery.headers["urgency"] == "normal"
    assert delivery.headers["topic"] == "salesos-test"
    devices = client.get(f"{API}/push/subscriptions", headers=person.headers).json()
    assert devices[0]["last_push_at"] is not None and devices[0]["endpoint_host"] == "127.0.0.1"
    with unit_of_work(org_id=person.org_id) as session:
        usage = session.scalars(select(ApiUsage).where(ApiUsage.kind == "push")).all()
        assert [(u.provider, u.operation) for u in usage] == [("webpush", "send")]


@both_databases
def test_a_gone_subscription_is_deleted_and_a_busy_service_is_retried(client, world, push_service):
    person = world.bob  # Alice already has a device: the isolation battery's id factory made one
    gone, busy = push_service.subscription("gone"), push_service.subscription("busy")
    for body in (gone, busy):
        assert _subscribe(client, person, body).status_code == 201
    push_service.gone.add("/push/gone")
    push_service.busy_once.add("/push/busy")
    client.post(f"{API}/push/test", headers=person.headers)
    drain(raise_errors=False)
    devices = client.get(f"{API}/push/subscriptions", headers=person.headers).json()
    assert [d["endpoint_host"] for d in devices] == ["127.0.0.1"]  # the gone one was removed
    assert push_service.deliveries == []
    drain(now=datetime.now(UTC) + timedelta(minutes=5))  # past the retry's backoff
    assert [d.path for d in push_service.deliveries] == ["/push/busy"]


def test_one_row_per_device_and_only_push_services_are_accepted(client, world, push_service):
    person = world.bob  # Alice already has a device: the isolation battery's id factory made one
    body = push_service.subscription("laptop")
    first = _subscribe(client, person, body).json()
    renewed = {**body, "keys": push_service.subscription("laptop-2")["keys"]}
    assert _subscribe(client, person, renewed).json()["id"] == first["id"]
    assert len(client.get(f"{API}/push/subscriptions", headers=person.headers).json()) == 1
    keys = body["keys"]
    for endpoint in ("https://evil.example/push/1", "http://169.254.169.254/latest", "file:///etc/passwd"):
        r = _subscribe(client, person, {"endpoint": endpoint, "keys": keys})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "endpoint"
    r = _subscribe(client, person, {"endpoint": body["endpoint"], "keys": {"p256dh": "x", "auth": "y"}})
    assert r.status_code == 422


def test_devices_belong_to_their_user_and_pushes_never_cross_orgs(client, world, push_service):
    alice, bob, carol = world.alice, world.bob, world.carol
    device = _subscribe(client, alice, push_service.subscription("alice")).json()
    _subscribe(client, carol, push_service.subscription("carol"))
    assert client.get(f"{API}/push/subscriptions", headers=bob.headers).json() == []
    assert client.delete(f"{API}/push/subscriptions/{device['id']}", headers=bob.headers).status_code == 404
    assert client.delete(f"{API}/push/subscriptions/{device['id']}", headers=carol.headers).status_code == 404
    client.post(f"{API}/push/test", headers=carol.headers)
    drain()
    assert [d.path for d in push_service.deliveries] == ["/push/carol"]
    assert client.delete(f"{API}/push/subscriptions/{device['id']}", headers=alice.headers).status_code == 204


def test_the_vapid_key_is_made_once_and_kept_private(settings):
    first = vapid.application_server_key()
    assert vapid.application_server_key() == first and len(vapid.b64url_decode(first)) == 65
    path = settings.var_dir / "vapid_private_key"
    assert path.exists() and oct(os.stat(path).st_mode & 0o777) == "0o600"
