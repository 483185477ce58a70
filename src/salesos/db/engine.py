"""Engine construction: SQLite tuned for a web app, PostgreSQL via psycopg 3."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DisconnectionError

from salesos.config import get_settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
# anyio's default threadpool size: at most this many sessions are open at once.
SQLITE_POOL_SIZE = 40
# A PostgreSQL connection used this recently is not pinged before its next use (_ping_idle_connections).
ALIVE_BYPASS_SECONDS = 0.5
LAST_USED_KEY = "salesos_last_used"


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
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _ping_idle_connections(engine: Engine) -> None:
    """Check a pooled connection before use only if it sat idle: a restarted server costs no request.

    ``pool_pre_ping`` would check every checkout, one more round trip per request. A connection that
    was working less than ALIVE_BYPASS_SECONDS ago is trusted instead, as HikariCP does
    (``aliveBypassWindowMs``); a dead one is replaced by the pool (DisconnectionError makes it retry).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_conn: Any, record: Any) -> None:
        record.info[LAST_USED_KEY] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[LAST_USED_KEY] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last_used = record.info.get(LAST_USED_KEY)
        if last_used is not None and time.monotonic() - last_used < ALIVE_BYPASS_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc


def make_engine(url: str, *, pool_size: int = 10, connect_timeout: int | None = None) -> Engine:
    """Create an engine for *url* with the project's connection settings.

    PostgreSQL connection attempts give up after *connect_timeout* seconds (default: the setting): a
    server that accepts TCP and never answers must not hang a request, a probe or ``salesos check``.
    """
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
    timeout = get_settings().db_connect_timeout_seconds if connect_timeout is None else connect_timeout
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"connect_timeout": max(timeout, 1)},
    )
    _ping_idle_connections(engine)
    return engine


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
