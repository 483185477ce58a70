"""PostgreSQL without Redis: `salesos serve` runs the jobs itself, on the local SQLite queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesos.config import Settings, get_settings
from salesos.db.engine import reset_engines
from salesos.db.session import unit_of_work
from salesos.jobs import enqueue
from salesos.jobs.queue import reset_queue
from tests.conftest import configure
from tests.jobs.conftest import JOB_MODULES, wait_for
from tests.jobs.sample_jobs import records
from tests.support.databases import postgres_database
from tests.support.services import require

ORG = uuid.UUID("0190a0b0-0000-7000-8000-000000000001")


@pytest.fixture
def single_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """PostgreSQL app database, no SALESOS_REDIS_URL."""
    require("postgres")
    reset_queue()
    with postgres_database() as (app_url, owner_url):
        yield configure(
            monkeypatch,
            tmp_path,
            database_url=app_url,
            migration_database_url=owner_url,
            extra_job_modules=JOB_MODULES,
            queue_name=f"salesos-test-{uuid.uuid4().hex[:12]}",
        )
        reset_queue()
        reset_engines()
    get_settings.cache_clear()


def test_postgres_without_redis_runs_jobs_in_the_web_process(single_server):
    from fastapi.testclient import TestClient

    from salesos.main import create_app

    assert single_server.mode == "single-server"
    with TestClient(create_app()) as client:
        assert client.get("/readyz").json()["mode"] == "single-server"
        with unit_of_work() as session:
            enqueue(session, "tests.record", org_id=ORG, label="served")
        wait_for(lambda: [row[1] for row in records("record")] == ["served"])
