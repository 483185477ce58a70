"""Engine construction: SQLite tuned for a web app, PostgreSQL via psycopg 3."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url

from salesos.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
# anyio's default threadpool size: at most this many sessions are open at once.
SQLITE_POOL_SIZE = 40


def _configure_sqlite(engine: Engine) -> None:
    """WAL + busy_timeout + foreign keys, and explicit BEGIN so writers take the lock up front."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself instead of pysqlite's implicit one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that later writes can fail with SQLITE_BUSY without waiting;
        # BEGIN IMMEDIATE makes a writer queue on busy_timeout instead.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine for *url* with the project's connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            # One kept connection per threadpool worker: an overflow connection is closed on return,
            # and a new one starts with a cold page cache (it showed up as half the CPU under load).
            pool_size=max(pool_size, SQLITE_POOL_SIZE),
            max_overflow=pool_size,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    """The application engine (app role on PostgreSQL)."""
    settings = get_settings()
    return make_engine(settings.database_url, pool_size=settings.db_pool_size)


def reset_engines() -> None:
    """Dispose cached engines (tests switch databases between modules)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
