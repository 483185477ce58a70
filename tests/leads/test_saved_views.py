"""Saved views: own + shared visibility, ownership of changes, admins, viewers, and other orgs."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import both_databases

API = "/api/v1"
VIEWS = f"{API}/lead-views"


def _create(client: Any, person: Any, **body: Any) -> dict[str, Any]:
    r = client.post(VIEWS, json={"name": "Hot leads", **body}, headers=person.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _names(client: Any, person: Any) -> list[str]:
    r = client.get(VIEWS, headers=person.headers)
    assert r.status_code == 200
    return [v["name"] for v in r.json()]


def _role(client: Any, world: Any, role: str) -> None:
    r = client.patch(f"{API}/members/{world.bob.member_id}", json={"role": role}, headers=world.alice.headers)
    assert r.status_code == 200, r.text


@both_databases
def test_own_and_shared_views(client, world):
    stage = str(uuid.uuid4())
    mine = _create(client, world.bob, filters={"tag": "hot", "stage_id": stage}, sort="-score")
    empty = {"owner_id": None, "source": None, "tier": None, "q": None, "added": None, "follow_up": None}
    assert mine["filters"] == {"stage_id": stage, "tag": "hot", **empty}
    assert mine["sort"] == "-score" and mine["shared"] is False and mine["user_id"] == str(world.bob.user_id)
    _create(client, world.bob, name="Team pipeline", shared=True)
    # The world's shared view of Alice's is visible to Bob; Bob's private one is not visible to Alice.
    assert _names(client, world.bob) == ["Acme Alpha hot", "Hot leads", "Team pipeline"]
    assert _names(client, world.alice) == ["Acme Alpha hot", "Team pipeline"]
    assert _names(client, world.carol) == []
    hidden = client.patch(f"{VIEWS}/{mine['id']}", json={"name": "x"}, headers=world.alice.headers)
    assert hidden.status_code == 404  # someone else's private view looks missing, even to the owner role
    dup = client.post(VIEWS, json={"name": "Hot leads"}, headers=world.bob.headers)
    assert dup.status_code == 422 and dup.json()["errors"][0]["field"] == "name"
    # Alice may reuse the name: names are unique per owner.
    _create(client, world.alice)


def test_only_owner_or_admin_changes_a_view(client, world):
    alices = _create(client, world.alice, name="Alice's", shared=True)
    _role(client, world, "member")
    r = client.patch(f"{VIEWS}/{alices['id']}", json={"name": "Bob's now"}, headers=world.bob.headers)
    assert r.status_code == 403
    assert client.delete(f"{VIEWS}/{alices['id']}", headers=world.bob.headers).status_code == 403
    bobs = _create(client, world.bob, name="Bob's", shared=True)
    r = client.patch(f"{VIEWS}/{bobs['id']}", json={"sort": "company_name", "filters": {"tier": "A"}},
                     headers=world.bob.headers)  # fmt: skip
    assert r.status_code == 200 and r.json()["sort"] == "company_name" and r.json()["filters"]["tier"] == "A"
    # Alice is the org owner (an admin and more): she may change and delete Bob's shared view.
    r = client.patch(f"{VIEWS}/{bobs['id']}", json={"name": "Renamed"}, headers=world.alice.headers)
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    assert client.delete(f"{VIEWS}/{bobs['id']}", headers=world.alice.headers).status_code == 204
    assert "Renamed" not in _names(client, world.bob)
    assert client.delete(f"{VIEWS}/{alices['id']}", headers=world.alice.headers).status_code == 204
    assert client.delete(f"{VIEWS}/{alices['id']}", headers=world.alice.headers).status_code == 404


def test_viewer_saves_private_views_only(client, world):
    _role(client, world, "viewer")
    _create(client, world.bob, name="Mine")
    r = client.post(VIEWS, json={"name": "Everyone's", "shared": True}, headers=world.bob.headers)
    assert r.status_code == 403


def test_cross_org_and_bad_input(client, world):
    view_id = world.ids["view_id"]
    for method in ("patch", "delete"):
        kwargs = {"json": {"name": "mine"}} if method == "patch" else {}
        on_a = getattr(client, method)(f"{VIEWS}/{view_id}", headers=world.carol.headers, **kwargs)
        ghost = getattr(client, method)(f"{VIEWS}/{uuid.uuid4()}", headers=world.carol.headers, **kwargs)
        assert on_a.status_code == ghost.status_code == 404
    assert "Acme Alpha hot" in _names(client, world.alice)
    for body in (
        {"name": ""},
        {"name": "x", "sort": "owner"},
        {"name": "x", "filters": {"tier": "Z"}},
        {"name": "x", "filters": {"org_id": str(world.alice.org_id)}},
        {"name": "x", "user_id": str(world.alice.user_id)},
    ):
        r = client.post(VIEWS, json=body, headers=world.carol.headers)
        assert r.status_code == 422, body
        assert r.headers["content-type"].startswith("application/problem+json")


def test_api_keys_have_no_views(client, world):
    created = client.post(
        f"{API}/api-keys", json={"name": "sync", "scopes": ["read", "write"]}, headers=world.alice.headers
    )
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    assert client.get(VIEWS, headers=key).status_code == 403
    assert client.post(VIEWS, json={"name": "Robot"}, headers=key).status_code == 403
