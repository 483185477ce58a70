"""Liveness and readiness."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import text

from tests.conftest import both_databases


@both_databases
def test_healthz_and_readyz(client, settings):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["checks"] == {"database": "ok", "schema": "ok", "queue": "ok"}
    assert ready.json()["mode"] == ("embedded" if settings.is_sqlite else "single-server")


def test_readyz_fails_when_database_is_gone(client, monkeypatch):
    import salesos.api.health as health

    monkeypatch.setattr(health, "database_status", lambda: health.DatabaseStatus(False))
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "fail"


@both_databases
def test_readyz_refuses_a_schema_behind_the_code(client, settings):
    from alembic.script import ScriptDirectory

    from salesos.db.engine import make_engine
    from salesos.db.migrate import alembic_config, head_revisions

    head = ScriptDirectory.from_config(alembic_config("")).get_revision(head_revisions()[0])
    owner = make_engine(settings.migration_database_url, pool_size=1)
    with owner.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head.down_revision})
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["schema"] == "fail"
    assert ready.json()["detail"] == "schema behind: run salesos migrate"

    with owner.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    owner.dispose()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "run salesos migrate" in ready.json()["detail"]


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections (the kernel's backlog) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def test_readyz_answers_quickly_when_postgres_never_answers(settings, silent_server, monkeypatch):
    from fastapi.testclient import TestClient

    from salesos.config import get_settings
    from salesos.db.engine import reset_engines
    from salesos.main import create_app

    monkeypatch.setenv("SALESOS_DATABASE_URL", f"postgresql+psycopg://app@127.0.0.1:{silent_server}/x")
    monkeypatch.setenv("SALESOS_DB_CONNECT_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("SALESOS_RUN_WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    reset_engines()
    with TestClient(create_app()) as client:
        started = time.monotonic()
        ready = client.get("/readyz")
        elapsed = time.monotonic() - started
    reset_engines()
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "fail"
    assert elapsed < 8, f"readyz took {elapsed:.1f} s"


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
