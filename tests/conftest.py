"""Shared fixtures: a configured, migrated database per test (SQLite by default, PostgreSQL on request)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from salesos.config import Settings, get_settings
from salesos.db.engine import reset_engines
from tests.support.databases import migrated_sqlite, postgres_database, sqlite_url
from tests.support.services import require


def configure(monkeypatch: pytest.MonkeyPatch, var_dir: Path, **env: str) -> Settings:
    """Point SalesOS at *var_dir* (and any SALESOS_* overrides), with a migrated database; the settings."""
    monkeypatch.setenv("SALESOS_ENV", "test")
    monkeypatch.setenv("SALESOS_VAR_DIR", str(var_dir))
    monkeypatch.setenv("SALESOS_LOG_JSON", "false")
    for key in ("SALESOS_DATABASE_URL", "SALESOS_MIGRATION_DATABASE_URL", "SALESOS_REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(f"SALESOS_{key.upper()}", value)
    get_settings.cache_clear()
    reset_engines()
    settings = get_settings()
    # PostgreSQL databases come migrated from tests.support.databases; a SQLite file is a migrated copy.
    if settings.is_sqlite:
        migrated_sqlite(Path(make_url(settings.database_url).database or ""))
    return settings


@pytest.fixture(params=["sqlite"])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on; parametrize with ``both_databases`` to cover PostgreSQL too."""
    return str(request.param)


@pytest.fixture
def settings(db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings for a freshly migrated database of kind *db_kind*."""
    if db_kind == "postgres":
        require("postgres")
        with postgres_database() as (app_url, owner_url):
            yield configure(monkeypatch, tmp_path, database_url=app_url, migration_database_url=owner_url)
            reset_engines()
    else:
        yield configure(monkeypatch, tmp_path, database_url=sqlite_url(tmp_path))
        reset_engines()
    get_settings.cache_clear()


both_databases = pytest.mark.parametrize("db_kind", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def app(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The ASGI app, without the in-process job consumer (tests drain jobs explicitly)."""
    monkeypatch.setenv("SALESOS_RUN_WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    from salesos.main import create_app

    return create_app()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A TestClient with the app's lifespan running."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def world(settings: Settings):  # type: ignore[no-untyped-def]
    """Alice + Bob in org A, Carol in org B (see tests/support/world.py)."""
    from tests.support.world import build_world

    return build_world()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Real-browser tests share one xdist worker, so two Chromiums never compete for the two cores.

    A test is a browser test when it lives in tests/browser or drives the ``live_server`` fixture.
    """
    for item in items:
        in_browser_dir = item.path.parent.name == "browser"
        if in_browser_dir or "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
