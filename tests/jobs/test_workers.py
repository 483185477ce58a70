"""Real worker subprocesses: a consumer SIGKILLed mid-run, and two workers sharing periodic ticks."""

from __future__ import annotations

import signal
import time
from collections import Counter

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.jobs import enqueue
from salesos.jobs.models import OutboxJob
from tests.jobs.conftest import JOB_MODULES, wait_for
from tests.jobs.sample_jobs import records


def _job(label: str) -> OutboxJob:
    with unit_of_work(write=False) as s:
        (row,) = [r for r in s.scalars(select(OutboxJob)).all() if r.payload.get("label") == label]
    return row


def test_job_of_killed_consumer_is_rerun_by_the_sweep(jobs_env, spawn_worker):
    short_lock = {"job_timeout_seconds": "2"}
    first = spawn_worker("killed", periodic=False, **short_lock)
    with unit_of_work() as s:
        enqueue(s, "tests.sleepy", label="long", sleep_seconds=60)
    first.wait_started()
    wait_for(lambda: records("start"), timeout=20)
    assert _job("long").status == "running"
    assert first.kill() == -signal.SIGKILL
    assert records("done") == []

    # A fresh worker runs the sweep every second; once the 2 s lock lapses it re-runs the job.
    spawn_worker("fresh", periodic=True, job_sweep_seconds="1", job_stale_seconds="1", **short_lock)
    wait_for(lambda: _job("long").status == "done", timeout=25)
    time.sleep(1.5)  # a few more sweeps: nothing may run it again
    row = _job("long")
    assert (row.status, row.attempts) == ("done", 2)
    assert [r[2] for r in records("start")] == ["1", "2"]
    assert [r[2] for r in records("done")] == ["2"]


def test_periodic_job_runs_once_per_tick_with_two_workers(jobs_env, spawn_worker):
    modules = f"{JOB_MODULES},tests.jobs.sample_periodic"
    workers = [spawn_worker(f"w{i}", periodic=True, extra_job_modules=modules) for i in (1, 2)]
    for worker in workers:
        worker.wait_started()
    both_up = int(time.time()) + 1
    time.sleep(4.5)
    last_full = int(time.time()) - 1
    wait_for(
        lambda: (
            {f"periodic:tests.tick:{t}" for t in range(both_up, last_full + 1)}
            <= {r[1] for r in records("tick")}
        ),
        timeout=10,
    )
    for worker in workers:
        worker.stop()

    runs = Counter(r[1] for r in records("tick"))
    assert runs, "no tick ran"
    assert max(runs.values()) == 1, f"a tick ran more than once: {runs}"
    window = [f"periodic:tests.tick:{t}" for t in range(both_up, last_full + 1)]
    assert len(window) >= 3 and all(runs[key] == 1 for key in window)
    # Both schedulers were live and competed for the ticks; the dedup key let one win each.
    for worker in workers:
        assert "tests.tick" in worker.output(), worker.output()
    with unit_of_work(write=False) as s:
        keys = s.scalars(select(OutboxJob.dedup_key).where(OutboxJob.name == "tests.tick")).all()
    assert len(keys) == len(set(keys))
