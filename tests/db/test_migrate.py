"""`salesos migrate`: concurrent runs are safe, and the app role can read (only read) the revision."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from salesos.config import PROJECT_ROOT
from salesos.db.migrate import current_revision, head_revisions
from tests.support import databases
from tests.support.services import require

# Both processes import everything first, then wait for the go file, so their migrations overlap.
MIGRATE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from salesos.db.migrate import upgrade
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.01)
upgrade()
"""


@pytest.fixture
def empty_postgres() -> Iterator[tuple[str, str]]:
    """A fresh, never migrated database owned by the owner role: (app_url, owner_url)."""
    require("postgres")
    databases.ensure_roles()
    name = f"salesos_fresh_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    databases._create(name)
    try:
        yield databases._url(databases.APP_ROLE, name), databases._url(databases.OWNER_ROLE, name)
    finally:
        databases._drop(name)


def test_two_migrations_started_together_both_succeed(empty_postgres, tmp_path: Path):
    app_url, owner_url = empty_postgres
    env = {
        **os.environ,
        "SALESOS_ENV": "test",
        "SALESOS_VAR_DIR": str(tmp_path),
        "SALESOS_DATABASE_URL": app_url,
        "SALESOS_MIGRATION_DATABASE_URL": owner_url,
    }
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_WHEN_TOLD, str(go)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(3)  # let both finish importing
    go.touch()
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(outputs)
    dsn = owner_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        versions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    assert versions == list(head_revisions())


def test_the_app_role_reads_the_revision_but_cannot_change_it(empty_postgres, tmp_path, monkeypatch):
    from tests.conftest import configure

    app_url, owner_url = empty_postgres
    configure(monkeypatch, tmp_path, database_url=app_url, migration_database_url=owner_url)
    from salesos.db.migrate import upgrade

    upgrade()
    assert current_revision(app_url) == head_revisions()[0]
    dsn = app_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE alembic_version SET version_num = 'x'")
