"""PostgreSQL connections are pinged before use only after sitting idle: no extra round trip per request
under load, and a connection the server dropped while idle costs no request an error."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from salesos.db import engine as engine_module
from salesos.db.engine import get_engine

pytestmark = pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)


def _count_pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    dialect = get_engine().dialect
    pings = [0]
    real = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings[0] += 1
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


def _backend_pid() -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_use_is_not_pinged(settings, monkeypatch):
    pings = _count_pings(monkeypatch)
    monkeypatch.setattr(engine_module, "ALIVE_BYPASS_SECONDS", 60)
    first = _backend_pid()
    assert [_backend_pid() for _ in range(5)] == [first] * 5  # the same pooled connection each time
    assert pings == [0]


def test_an_idle_connection_the_server_dropped_is_replaced(settings, monkeypatch):
    pings = _count_pings(monkeypatch)
    first = _backend_pid()
    # The server ends that connection while it sits in the pool (a restart, a failover, an idle timeout).
    url = make_url(settings.database_url)
    dsn = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(dsn, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (first,)).fetchone() == (True,)
    monkeypatch.setattr(engine_module, "ALIVE_BYPASS_SECONDS", 0)  # every pooled connection counts as idle
    second = _backend_pid()  # would raise "terminating connection" without the ping
    assert second != first and pings[0] >= 1
