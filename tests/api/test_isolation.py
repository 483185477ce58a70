"""The isolation battery: every route, called by Carol (org B) with org A's ids, looks like a 404 for a
nonexistent id and never carries org A's data. It reads the OpenAPI document, so new routes are covered."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import both_databases
from tests.support.openapi import operations, sample

IGNORED_KEYS = {"request_id", "instance"}
# Order matters: reads first, destructive calls on Carol's own org last.
METHOD_ORDER = {"GET": 0, "PATCH": 1, "PUT": 1, "POST": 2, "DELETE": 3}


def _normalise(text: str, replace: dict[str, str]) -> object:
    for old, new in replace.items():
        text = text.replace(old, new)
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in IGNORED_KEYS}
    return body


@both_databases
def test_carol_never_reaches_org_a(client, world):
    spec = client.get("/api/openapi.json").json()
    ops = sorted(operations(spec), key=lambda o: METHOD_ORDER[o.method])
    assert len(ops) >= 15, "the battery should see every API route"
    missing_factories = {p for op in ops for p in op.params} - set(world.ids)
    assert not missing_factories, f"register an id factory in tests/support/world.py for {missing_factories}"

    checked = 0
    for op in ops:
        if op.streaming:
            continue  # the SSE stream has its own isolation test in tests/realtime
        body = sample(op.body_schema, spec)
        a_ids = {p: world.ids[p] for p in op.params}
        ghost_ids = {p: uuid.uuid4() for p in op.params}
        kwargs = {"json": body} if body is not None else {}
        on_a = client.request(op.method, op.url(a_ids), headers=world.carol.headers, **kwargs)
        # The problem's "instance" echoes the URL Carol sent; everything else must be free of A's data.
        seen = json.dumps(_normalise(on_a.text, {}))
        for marker in world.markers_a:
            assert marker not in seen, f"{op.method} {op.path} leaked org A data ({marker!r})"
        if op.params:
            on_ghost = client.request(op.method, op.url(ghost_ids), headers=world.carol.headers, **kwargs)
            # Signed webhooks refuse a foreign id like a missing one, with their own 401.
            expected = 401 if op.auth == "signature" else 404
            assert on_a.status_code == expected, f"{op.method} {op.path}: {on_a.status_code} {on_a.text}"
            swap_a = {str(v): "<id>" for v in a_ids.values()}
            swap_ghost = {str(v): "<id>" for v in ghost_ids.values()}
            assert _normalise(on_a.text, swap_a) == _normalise(on_ghost.text, swap_ghost), op.path
            assert on_a.headers.get("content-type") == on_ghost.headers.get("content-type")
        checked += 1
    assert checked >= 15


@both_databases
def test_org_a_objects_survive_carols_attempts(client, world):
    """After the battery's kind of calls, A's member, invitation and key are untouched."""
    for path in ("members", "invitations", "api-keys"):
        for item_id in world.ids.values():
            client.delete(f"/api/v1/{path}/{item_id}", headers=world.carol.headers)
    members = client.get("/api/v1/members", headers=world.alice.headers).json()["items"]
    assert {m["email"] for m in members} == {world.alice.email, world.bob.email}
    keys = client.get("/api/v1/api-keys", headers=world.alice.headers).json()
    assert [k["revoked_at"] for k in keys] == [None]
    invitations = client.get("/api/v1/invitations", headers=world.alice.headers).json()
    assert len(invitations) == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/members", "/api/v1/org", "/api/v1/invitations", "/api/v1/api-keys"]
)
def test_lists_show_only_own_org(client, world, path):
    response = client.get(path, headers=world.carol.headers)
    assert response.status_code == 200
    for marker in world.markers_a:
        assert marker not in response.text
