"""Create throw-away databases: a migrated SQLite file, or a PostgreSQL database with owner/app roles."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

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


@contextmanager
def postgres_database() -> Iterator[tuple[str, str]]:
    """A fresh database owned by the owner role; yields (app_url, owner_url) and drops it afterwards."""
    ensure_roles()
    name = f"salesos_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SUPERUSER_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {OWNER_ROLE}")
        conn.execute(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
        conn.execute(f"GRANT CONNECT ON DATABASE {name} TO {APP_ROLE}")
    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user=postgres dbname={name}", autocommit=True) as c:
        c.execute(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}")
    base = f"postgresql+psycopg://{{role}}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        yield base.format(role=APP_ROLE), base.format(role=OWNER_ROLE)
    finally:
        with psycopg.connect(SUPERUSER_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sqlite_url(directory: Path) -> str:
    """URL of the SQLite app database inside *directory*."""
    return f"sqlite:///{directory / 'salesos.db'}"
