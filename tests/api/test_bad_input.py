"""Bad input: a clear problem+json 4xx, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from salesos.db.base import Base
from salesos.db.session import unit_of_work
from tests.conftest import both_databases


def _row_counts() -> dict[str, int]:
    with unit_of_work(write=False) as session:
        # Counting across tenants is a test's privilege: it runs as the owner on SQLite, and on
        # PostgreSQL only the global tables are counted (tenant rows are hidden without a tenant).
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
            if "org_id" not in table.columns
        }


def _tenant_counts(org_id) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=org_id) as session:
        return {
            name: session.scalar(select(func.count()).select_from(table).where(table.c.org_id == org_id)) or 0
            for name, table in Base.metadata.tables.items()
            if "org_id" in table.columns
        }


CASES = [
    ("malformed json", "POST", "/api/v1/invitations", {"content": b'{"email": "x@a.example",'}, 400),
    ("wrong type", "POST", "/api/v1/invitations", {"json": {"email": 42}}, 422),
    (
        "unknown field org_id",
        "PATCH",
        "/api/v1/org",
        {"json": {"name": "X", "org_id": "00000000-0000-0000-0000-000000000000"}},
        422,
    ),
    (
        "unknown field role",
        "POST",
        "/api/v1/invitations",
        {"json": {"email": "x@a.example", "role": "owner"}},
        422,
    ),
    ("mass-assign role", "PATCH", "/api/v1/auth/me", {"json": {"name": "X", "role": "owner"}}, 422),
    (
        "oversize body",
        "POST",
        "/api/v1/invitations",
        {"content": b'{"email": "' + b"a" * (1024 * 1024 + 10) + b'"}'},
        413,
    ),
    ("bad enum", "PATCH", "/api/v1/org", {"json": {"default_region": "Narnia"}}, 422),
]


@both_databases
@pytest.mark.parametrize(("name", "method", "path", "kwargs", "status"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_writes_nothing(client, world, name, method, path, kwargs, status):
    before = (_row_counts(), _tenant_counts(world.alice.org_id))
    headers = dict(world.alice.headers)
    if "content" in kwargs:
        headers["content-type"] = "application/json"
    r = client.request(method, path, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == status and problem["title"]
    assert "Traceback" not in r.text
    assert (_row_counts(), _tenant_counts(world.alice.org_id)) == before


def test_field_errors_name_the_field(client, world):
    r = client.patch("/api/v1/org", json={"name": "X", "org_id": "x"}, headers=world.alice.headers)
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert fields == {"org_id": "Unknown field."}


def test_unknown_route_and_method_are_problems(client, world):
    assert client.get("/api/v1/nope", headers=world.alice.headers).json()["status"] == 404
    r = client.put("/api/v1/org", json={}, headers=world.alice.headers)
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")


def test_server_error_has_no_trace(app, world):
    from fastapi.testclient import TestClient

    @app.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert r.json()["request_id"]


def test_unknown_timezone_is_refused(client, world):
    r = client.patch("/api/v1/org", json={"timezone": "Mars/Base"}, headers=world.alice.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "timezone"
    ok = client.patch("/api/v1/org", json={"timezone": "Europe/Paris"}, headers=world.alice.headers)
    assert ok.status_code == 200 and ok.json()["timezone"] == "Europe/Paris"


def test_upload_exemptions_are_exact_paths(client, world):
    """Uploads may exceed 1 MiB; the small JSON endpoints beside them may not."""
    big = b'{"mapping": ["' + b"x" * (1024 * 1024 + 10) + b'"]}'
    headers = {**world.alice.headers, "content-type": "application/json"}
    start = client.post(
        "/api/v1/imports/00000000-0000-0000-0000-000000000000/start", content=big, headers=headers
    )
    assert start.status_code == 413


def test_oversize_body_without_a_length_is_a_413_too(client, world):
    """A chunked body has no Content-Length to check up front: it is counted as it arrives."""
    before = (_row_counts(), _tenant_counts(world.alice.org_id))
    chunk = b"a" * 65536

    def chunked():  # type: ignore[no-untyped-def]
        yield b'{"company": {"name": "'
        for _ in range(18):  # 1.1 MiB
            yield chunk
        yield b'"}}'

    headers = {**world.alice.headers, "content-type": "application/json"}
    r = client.post("/api/v1/leads", content=chunked(), headers=headers)
    assert r.status_code == 413, r.text
    problem = r.json()
    assert problem["title"] == "Payload too large" and problem["instance"] == "/api/v1/leads"
    assert problem["request_id"] == r.headers["x-request-id"]
    assert (_row_counts(), _tenant_counts(world.alice.org_id)) == before


def test_a_malformed_id_in_the_path_is_not_found_like_an_unknown_one(client, world):
    for path in ("/api/v1/leads/not-an-id", "/api/v1/members/42"):
        r = client.get(path, headers=world.alice.headers)
        assert r.status_code == 404 and r.json()["title"] == "Not found", path
    unknown = client.get("/api/v1/leads/00000000-0000-0000-0000-000000000000", headers=world.alice.headers)
    assert unknown.status_code == 404
