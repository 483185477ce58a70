"""Outbox behaviour through a real in-process consumer, on the SQLite queue and on Redis + PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from huey import signals as huey_signals
from sqlalchemy import func, select

from salesos.db.session import unit_of_work
from salesos.jobs import enqueue
from salesos.jobs.models import OutboxJob
from salesos.jobs.queue import get_huey
from tests.jobs.conftest import wait_for
from tests.jobs.sample_jobs import records

ORG = uuid.UUID("0190a0b0-0000-7000-8000-000000000001")


def _labels(kind: str = "record") -> list[str]:
    return [row[1] for row in records(kind)]


def _row(label: str) -> OutboxJob:
    with unit_of_work(write=False) as s:
        rows = [r for r in s.scalars(select(OutboxJob)).all() if r.payload.get("label") == label]
    assert len(rows) == 1, rows
    return rows[0]


def _outbox_count() -> int:
    with unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(OutboxJob)) or 0)


def test_rolled_back_job_never_runs(consumer):
    executed: list[tuple[str, ...]] = []
    get_huey().signal(huey_signals.SIGNAL_EXECUTING)(lambda _sig, task: executed.append(task.args))

    with pytest.raises(RuntimeError), unit_of_work() as s:
        enqueue(s, "tests.record", org_id=ORG, label="rolled-back")
        s.flush()
        raise RuntimeError("request failed after the enqueue")
    with unit_of_work() as s:
        kept = enqueue(s, "tests.record", org_id=ORG, label="committed")
        assert kept is not None

    wait_for(lambda: _row("committed").status == "done")
    time.sleep(0.5)
    assert _labels() == ["committed"]
    assert _outbox_count() == 1
    # Nothing was relayed for the rolled-back row: Huey saw exactly one message, the committed one.
    assert executed == [(str(kept.id),)]


def test_job_receives_uuid_ids_and_a_tenant_scoped_session(consumer):
    with unit_of_work() as s:
        enqueue(s, "tests.record", org_id=ORG, label="scoped")
    wait_for(lambda: _row("scoped").status == "done")
    (row,) = records("record")
    assert row[3] == "UUID"
    assert row[4] == str(ORG)


def test_failing_twice_succeeds_on_third_attempt(consumer):
    with unit_of_work() as s:
        enqueue(s, "tests.flaky", label="third-time", fail_times=2)
    wait_for(lambda: _row("third-time").status == "done", timeout=20)
    row = _row("third-time")
    assert row.attempts == 3
    assert row.last_error is None
    assert [int(r[2]) for r in records("flaky")] == [1, 2, 3]


def test_same_dedup_key_runs_once(consumer, jobs_env):
    with unit_of_work() as s:
        first = enqueue(s, "tests.record", dedup_key="welcome:1", org_id=ORG, label="dedup")
        again = enqueue(s, "tests.record", dedup_key="welcome:1", org_id=ORG, label="dedup")
    assert first is not None and again is None
    with unit_of_work() as s:
        assert enqueue(s, "tests.record", dedup_key="welcome:1", org_id=ORG, label="dedup") is None

    # Two concurrent transactions racing for one key: exactly one row wins, neither errors.
    results: list[object] = []
    barrier = threading.Barrier(2)

    def race() -> None:
        barrier.wait()
        with unit_of_work() as s:
            results.append(enqueue(s, "tests.record", dedup_key="race:1", org_id=ORG, label="race"))
            time.sleep(0.2)  # hold the transaction so the other one has to wait on it

    threads = [threading.Thread(target=race) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r is None for r in results) == [False, True]

    with unit_of_work() as s:
        enqueue(s, "tests.record", org_id=ORG, label="control")
    wait_for(lambda: all(_row(label).status == "done" for label in ("dedup", "race", "control")))
    time.sleep(0.5)
    assert sorted(_labels()) == ["control", "dedup", "race"]
    assert _outbox_count() == 3
