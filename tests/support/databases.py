"""Create throw-away databases: a migrated SQLite file, or a PostgreSQL database with owner/app roles.

Each is a copy of a template migrated once per test process: running the migrations for every test
cost 1-2 s each, most of the suite's time.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from alembic import command

from salesos.db.migrate import alembic_config, grant_app_role
from tests.support.services import PG_HOST, PG_PORT

OWNER_ROLE = "salesos_owner"
APP_ROLE = "salesos_app"
SUPERUSER_DSN = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"


def ensure_roles() -> None:
    """The owner runs migrations; the app role is neither superuser, owner, nor BYPASSRLS."""
    with psycopg.connect(SUPERUSER_DSN, autocommit=True) as conn:
        for role in (OWNER_ROLE, APP_ROLE):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")


def _url(role: str, name: str) -> str:
    return f"postgresql+psycopg://{role}@{PG_HOST}:{PG_PORT}/{name}"


def _create(name: str, template: str | None = None) -> None:
    with psycopg.connect(SUPERUSER_DSN, autocommit=True) as conn:
        source = f" TEMPLATE {template}" if template else ""
        conn.execute(f"CREATE DATABASE {name}{source} OWNER {OWNER_ROLE}")
        conn.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
        conn.execute(f"GRANT CONNECT ON DATABASE {name} TO {APP_ROLE}")
    if template is None:
        with psycopg.connect(
            f"host={PG_HOST} port={PG_PORT} user=postgres dbname={name}", autocommit=True
        ) as c:
            c.execute(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}")


def _drop(name: str) -> None:
    with psycopg.connect(SUPERUSER_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_templates: dict[str, str] = {}


def _postgres_template() -> str:
    """This process's migrated template database (made on first use, dropped at exit)."""
    if "postgres" not in _templates:
        name = f"salesos_tmpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        _create(name)
        atexit.register(_drop, name)
        command.upgrade(alembic_config(_url(OWNER_ROLE, name)), "head")
        grant_app_role(_url(OWNER_ROLE, name), APP_ROLE)
        _templates["postgres"] = name
    return _templates["postgres"]


def migrated_sqlite(path: Path) -> None:
    """Put a migrated SQLite database at *path* (a copy of this process's template) unless one is there."""
    if path.exists():
        return
    if "sqlite" not in _templates:
        directory = tempfile.mkdtemp(prefix="salesos-template-")
        atexit.register(shutil.rmtree, directory, True)
        template = Path(directory) / "salesos.db"
        command.upgrade(alembic_config(f"sqlite:///{template}"), "head")
        _templates["sqlite"] = str(template)
    shutil.copyfile(_templates["sqlite"], path)


@contextmanager
def postgres_database() -> Iterator[tuple[str, str]]:
    """A fresh migrated database owned by the owner role; yields (app_url, owner_url), dropped afterwards."""
    ensure_roles()
    template = _postgres_template()
    name = f"salesos_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _create(name, template)
    base = _url("{role}", name)
    try:
        yield base.format(role=APP_ROLE), base.format(role=OWNER_ROLE)
    finally:
        _drop(name)


def sqlite_url(directory: Path) -> str:
    """URL of the SQLite app database inside *directory*."""
    return f"sqlite:///{directory / 'salesos.db'}"
