"""Idempotency-Key: replay the first answer, refuse the same key with another body."""

from __future__ import annotations

from tests.conftest import both_databases


@both_databases
def test_same_key_replays_and_creates_once(client, world):
    headers = {**world.alice.headers, "Idempotency-Key": "k-123"}
    body = {"name": "ci", "scopes": ["read"]}
    first = client.post("/api/v1/api-keys", json=body, headers=headers)
    second = client.post("/api/v1/api-keys", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    keys = client.get("/api/v1/api-keys", headers=world.alice.headers).json()
    assert [k["name"] for k in keys].count("ci") == 1


def test_same_key_other_body_is_422(client, world):
    headers = {**world.alice.headers, "Idempotency-Key": "k-456"}
    assert (
        client.post("/api/v1/api-keys", json={"name": "a", "scopes": ["read"]}, headers=headers).status_code
        == 201
    )
    r = client.post("/api/v1/api-keys", json={"name": "b", "scopes": ["read"]}, headers=headers)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_keys_are_per_caller(client, world):
    body = {"name": "shared", "scopes": ["read"]}
    a = client.post("/api/v1/api-keys", json=body, headers={**world.alice.headers, "Idempotency-Key": "same"})
    c = client.post("/api/v1/api-keys", json=body, headers={**world.carol.headers, "Idempotency-Key": "same"})
    assert a.status_code == c.status_code == 201
    assert a.json()["id"] != c.json()["id"]


def test_the_same_json_spaced_or_ordered_otherwise_is_the_same_request(client, world):
    headers = {**world.alice.headers, "Idempotency-Key": "k-789", "content-type": "application/json"}
    first = client.post("/api/v1/api-keys", content=b'{"name":"spaced","scopes":["read"]}', headers=headers)
    again = client.post(
        "/api/v1/api-keys", content=b'{ "scopes": [ "read" ],\n  "name": "spaced" }', headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()


def test_a_key_too_long_is_a_field_error_in_the_usual_shape(client, world):
    headers = {**world.alice.headers, "Idempotency-Key": "k" * 256}
    r = client.post("/api/v1/api-keys", json={"name": "long", "scopes": ["read"]}, headers=headers)
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert problem["instance"] == "/api/v1/api-keys" and problem["request_id"] == r.headers["x-request-id"]


def test_the_openapi_document_offers_the_key_on_every_api_post(client):
    spec = client.get("/api/openapi.json").json()
    posts = {
        path: ops["post"]
        for path, ops in spec["paths"].items()
        if "post" in ops and path.startswith("/api/v1/")
    }
    assert "/api/v1/leads" in posts and len(posts) > 10
    for path, post in posts.items():
        keys = [p for p in post.get("parameters", []) if p["name"] == "Idempotency-Key"]
        assert len(keys) == 1 and keys[0]["in"] == "header", path
    assert client.get("/api/openapi.json").json() == spec, "built once, not a key more per request"
