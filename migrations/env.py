"""Alembic environment: runs as the table owner, batch mode on SQLite, one migrator at a time."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from salesos.db import models  # noqa: F401 - registers every table on the metadata
from salesos.db.base import Base
from salesos.db.engine import make_engine

config = context.config

# pg_advisory_lock key shared by every `salesos migrate` / `serve` of every release ("salesos" in ASCII).
MIGRATION_LOCK_KEY = 0x73616C65736F73


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(url, pool_size=1)
        with engine.connect() as conn:
            _run_locked(conn)
        engine.dispose()
    else:
        _run_locked(connection)


def _run_locked(connection: Connection) -> None:
    """On PostgreSQL, hold a session advisory lock while migrating.

    Two processes started together on a fresh database (two `serve`s, a deploy job and a server) would
    otherwise both create alembic_version and the tables, and one would die on a unique violation. The
    second waits here, then finds the schema at head and does nothing (Alembic reads the revision
    inside run_migrations, after the lock).
    """
    if connection.dialect.name != "postgresql":
        _run(connection)
        return
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()  # a session lock outlives this transaction; migrations run in their own
    try:
        _run(connection)
    finally:
        if connection.in_transaction():
            connection.rollback()  # a failed migration leaves an aborted transaction behind
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
