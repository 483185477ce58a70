"""Alembic environment: runs as the table owner, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from salesos.db import models  # noqa: F401 - registers every table on the metadata
from salesos.db.base import Base
from salesos.db.engine import make_engine

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(url, pool_size=1)
        with engine.connect() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
