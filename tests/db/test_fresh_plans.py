"""``fresh_plans``: statements inside the block are never prepared on the server, and the connection's
setting comes back afterwards, also when the block fails (the connection returns to the pool)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from salesos.db.session import fresh_plans, unit_of_work

# A statement no other code runs, so pg_prepared_statements finds only ours.
PROBE = text("SELECT 41 + :n AS fresh_plans_probe")
RUNS = 8  # psycopg prepares on the fifth run


def _prepared(session) -> int:  # type: ignore[no-untyped-def]
    query = text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%fresh_plans_probe%'")
    return int(session.scalar(query))


def _run_probe(session) -> None:  # type: ignore[no-untyped-def]
    for n in range(RUNS):
        assert session.scalar(PROBE, {"n": n}) == 41 + n


@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
def test_statements_in_the_block_are_planned_each_time(settings):
    with unit_of_work(write=False) as session:
        with fresh_plans(session):
            _run_probe(session)
        assert _prepared(session) == 0
        _run_probe(session)  # outside the block psycopg prepares it as usual
        assert _prepared(session) == 1


@pytest.mark.parametrize("db_kind", ["postgres"], indirect=True)
def test_the_setting_comes_back_when_the_block_fails(settings):
    with unit_of_work(write=False) as session:
        driver = session.connection().connection.driver_connection
        before = driver.prepare_threshold
        with pytest.raises(RuntimeError), fresh_plans(session):
            assert driver.prepare_threshold is None
            raise RuntimeError("the batch failed")
        assert driver.prepare_threshold == before is not None


def test_sqlite_runs_the_block_unchanged(settings):
    with unit_of_work(write=False) as session, fresh_plans(session):
        assert session.scalar(PROBE, {"n": 1}) == 42
