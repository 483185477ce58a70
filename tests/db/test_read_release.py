"""A read-only request returns its connection off the event loop on PostgreSQL (the reset is a ROLLBACK
round trip every other request would wait for), and inline on SQLite (a library call)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import event

from salesos.db.engine import get_engine
from tests.conftest import both_databases


@both_databases
def test_where_a_read_requests_connection_is_reset(client, world, db_kind):
    resets: list[bool] = []  # one per connection reset: was an event loop running on that thread?

    def on_reset(_dbapi_connection, _record, _state):  # type: ignore[no-untyped-def]
        resets.append(asyncio._get_running_loop() is not None)

    engine = get_engine()
    event.listen(engine.pool, "reset", on_reset)
    try:
        response = client.get("/api/v1/members", headers=world.alice.headers)
        assert response.status_code == 200 and len(response.json()["items"]) == 2
        deadline = time.monotonic() + 5
        while not resets and time.monotonic() < deadline:
            time.sleep(0.01)  # off the loop, the reset may finish just after the response
    finally:
        event.remove(engine.pool, "reset", on_reset)
    expected_on_loop = db_kind == "sqlite"
    assert resets == [expected_on_loop], resets
    assert engine.pool.checkedout() == 0
