"""Liveness and readiness."""

from __future__ import annotations


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "queue": "ok"}
    assert ready.json()["mode"] == "embedded"


def test_readyz_fails_when_database_is_gone(client, monkeypatch):
    import salesos.api.health as health

    monkeypatch.setattr(health, "database_ok", lambda: False)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "fail"


def test_responses_carry_request_id_and_security_headers(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_openapi_is_served(client):
    assert client.get("/api/openapi.json").json()["info"]["title"] == "SalesOS API"
    assert client.get("/api/docs").status_code == 200


def test_a_204_names_no_content_type(client, world):
    r = client.delete(f"/api/v1/leads/{world.ids['lead_id']}", headers=world.alice.headers)
    assert r.status_code == 204 and r.content == b""
    assert "content-type" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"  # the other headers stay
