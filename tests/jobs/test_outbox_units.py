"""Outbox pieces driven synchronously with drain(): validation, dead jobs, admin, sweep, ticks, fencing."""

from __future__ import annotations

import signal
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.jobs import admin, enqueue, job
from salesos.jobs.models import OutboxJob
from salesos.jobs.queue import get_huey, queue_ping, reset_queue
from salesos.jobs.registry import get_job, load_job_modules
from salesos.jobs.scheduler import PeriodicTicker, tick_key
from salesos.jobs.sweep import WORKER_LOST, sweep
from salesos.jobs.testing import drain
from salesos.jobs.worker import start_consumer
from tests.jobs.sample_jobs import records

ORG = uuid.UUID("0190a0b0-0000-7000-8000-000000000002")


def _rows(name: str | None = None) -> list[OutboxJob]:
    with unit_of_work(write=False) as s:
        stmt = select(OutboxJob).order_by(OutboxJob.created_at)
        return list(s.scalars(stmt if name is None else stmt.where(OutboxJob.name == name)))


def test_enqueue_refuses_bad_requests(jobs_env):
    with unit_of_work() as s:
        with pytest.raises(ValueError, match="org_id"):
            enqueue(s, "tests.record", label="no tenant")
        with pytest.raises(LookupError):
            enqueue(s, "tests.no_such_job")
        with pytest.raises(TypeError, match="label"):
            enqueue(s, "tests.record", org_id=ORG, label=object())
        with pytest.raises(ValueError, match="timezone"):
            enqueue(s, "tests.record", org_id=ORG, label="naive", run_at=datetime(2030, 1, 1))
    assert _rows() == []


def test_registry_rejects_bad_and_clashing_names():
    with pytest.raises(ValueError, match=r"domain\.action"):
        job("NoDot")(lambda session: None)
    with pytest.raises(ValueError, match="already registered"):
        job("tests.record")(lambda session, *, org_id, label: None)


def test_load_job_modules_finds_domain_jobs_files(jobs_env):
    assert "salesos.jobs.jobs" in load_job_modules()
    assert get_job("jobs.sweep") is not None


def test_delayed_job_waits_for_run_at(jobs_env):
    later = utcnow() + timedelta(minutes=5)
    with unit_of_work() as s:
        enqueue(s, "tests.record", org_id=ORG, label="later", run_at=later)
    assert drain() == 0
    assert drain(now=later + timedelta(seconds=1)) == 1
    assert [r[1] for r in records("record")] == ["later"]


def test_exhausted_job_is_dead_then_admin_retry_runs_it_again(jobs_env):
    with unit_of_work() as s:
        enqueue(s, "tests.flaky", label="hopeless", fail_times=5)
    moment = utcnow()
    for _ in range(5):  # each drain jumps past the backoff of the previous failure
        moment += timedelta(hours=1)
        drain(now=moment, raise_errors=False)
    (row,) = _rows()
    assert (row.status, row.attempts, row.last_error) == ("dead", 5, "RuntimeError: planned failure")
    assert [int(r[2]) for r in records("flaky")] == [1, 2, 3, 4, 5]
    assert admin.status_counts()["dead"] == 1
    assert [r.id for r in admin.list_jobs("failed")] == [row.id]

    assert admin.retry_job(row.id) is True
    assert admin.retry_job(uuid.uuid4()) is False
    with pytest.raises(RuntimeError, match="planned failure"):
        drain()  # attempt 1 of the fresh budget still fails (fail_times counts attempts)
    (row,) = _rows()
    assert (row.status, row.attempts) == ("pending", 1)


def test_backoff_grows_exponentially(jobs_env):
    with unit_of_work() as s:
        enqueue(s, "tests.flaky", label="backoff", fail_times=2)
    start = utcnow()
    drain(now=start, raise_errors=False)
    first = _rows()[0].run_at - start
    drain(now=start + timedelta(hours=1), raise_errors=False)
    second = _rows()[0].run_at - (start + timedelta(hours=1))
    base = get_settings().job_backoff_base_seconds
    assert timedelta(seconds=base) <= first <= timedelta(seconds=base * 1.1)
    assert timedelta(seconds=2 * base) <= second <= timedelta(seconds=2 * base * 1.1)


def test_unknown_job_and_bad_payload_go_dead_without_retries(jobs_env):
    with unit_of_work() as s:
        s.add(OutboxJob(name="gone.job", payload={}, max_attempts=5))
        s.add(OutboxJob(name="tests.record", payload={"org_id": str(ORG), "extra": 1}, max_attempts=5))
    assert drain(raise_errors=False) == 2
    errors = sorted((r.status, r.attempts, (r.last_error or "").split(":")[0]) for r in _rows())
    assert errors == [("dead", 1, "PermanentJobError"), ("dead", 1, "PermanentJobError")]


def test_permanent_provider_error_is_not_retried(jobs_env):
    with unit_of_work() as s:
        enqueue(s, "tests.rejected", label="bounce")
    drain(now=utcnow() + timedelta(hours=1), raise_errors=False)
    drain(now=utcnow() + timedelta(hours=2), raise_errors=False)
    (row,) = _rows()
    assert (row.status, row.attempts, row.max_attempts) == ("dead", 1, 5)
    assert len(records("rejected")) == 1


def test_run_whose_lock_was_taken_over_commits_nothing(jobs_env):
    with unit_of_work() as s:
        enqueue(s, "tests.overtaken", label="fenced")
    drain(raise_errors=False)  # attempt 1: a "future" sweep requeues the row while it runs
    (row,) = _rows()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, WORKER_LOST)
    drain(now=utcnow() + timedelta(hours=2))  # the future sweep made it due at its "now"
    (row,) = _rows()
    assert (row.status, row.attempts) == ("done", 2)
    assert [int(r[2]) for r in records("overtaken")] == [1, 2]


def test_sweep_recovers_stale_and_lost_rows_and_purges_old_ones(jobs_env):
    now = utcnow()
    old = now - timedelta(hours=1)
    rows = {
        "stale": {"status": "pending", "run_at": old, "relayed_at": old},
        "fresh": {"status": "pending", "run_at": old, "relayed_at": now},
        "lost": {"status": "running", "attempts": 1, "locked_until": old},
        "lost-last": {"status": "running", "attempts": 5, "max_attempts": 5, "locked_until": old},
        "busy": {"status": "running", "attempts": 1, "locked_until": now + timedelta(hours=1)},
        "old": {"status": "done", "finished_at": now - timedelta(days=30)},
        "recent": {"status": "done", "finished_at": now},
    }
    with unit_of_work() as s:
        s.add_all([OutboxJob(name="tests.record", dedup_key=key, **values) for key, values in rows.items()])
    with unit_of_work() as s:
        report = sweep(s, now=now)
    assert (report.requeued, report.relayed, report.dead, report.purged) == (1, 1, 1, 1)
    by_key = {r.dedup_key: r for r in _rows()}
    assert by_key["stale"].relayed_at == now and by_key["fresh"].relayed_at == now
    assert by_key["lost"].status == "pending" and by_key["lost-last"].status == "dead"
    assert by_key["busy"].status == "running" and "old" not in by_key and "recent" in by_key
    # The two rows handed back to Huey are really on the queue.
    assert len(get_huey().pending()) == 2


def test_two_tickers_enqueue_each_tick_once(jobs_env):
    load_job_modules()
    now = 1_000_000.0
    first, second = PeriodicTicker(), PeriodicTicker()
    assert tick_key("jobs.sweep", int(now // get_settings().job_sweep_seconds)) in first.check(now)
    assert second.check(now) == []
    assert first.check(now + 1) == []  # same tick: not even tried again
    later = now + get_settings().job_sweep_seconds

    def sweeps(keys: list[str]) -> list[str]:  # other periodic jobs tick on their own schedules
        return [k for k in keys if k.startswith("periodic:jobs.sweep:")]

    assert len(sweeps(second.check(later))) == 1 and sweeps(first.check(later)) == []
    assert len(_rows("jobs.sweep")) == 2
    assert drain() >= 2 and {r.status for r in _rows("jobs.sweep")} == {"done"}


def test_embedded_consumer_leaves_host_signal_handlers_alone(jobs_env):
    def host_handler(signum, frame):  # pragma: no cover - never delivered
        pass

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    previous = {n: signal.getsignal(getattr(signal, n)) for n in names}
    try:
        for n in names:
            signal.signal(getattr(signal, n), host_handler)
        handle = start_consumer(in_process=True, periodic=True)
        try:
            assert all(signal.getsignal(getattr(signal, n)) is host_handler for n in names)
        finally:
            handle.stop()
        assert start_consumer(in_process=False, periodic=True).consumer is None
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler)


def test_queue_ping(jobs_env, monkeypatch):
    assert queue_ping() is True
    monkeypatch.setenv("SALESOS_REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    reset_queue()
    assert queue_ping() is False


def test_payload_round_trip_keeps_non_uuid_strings(jobs_env):
    from salesos.jobs.outbox import decode_payload, encode_payload

    value = {"org_id": ORG, "ids": [ORG], "label": "not-a-uuid", "n": 3, "when": None}
    encoded = encode_payload(value)
    assert encoded["org_id"] == str(ORG) and encoded["ids"] == [str(ORG)]
    assert decode_payload(encoded) == value
