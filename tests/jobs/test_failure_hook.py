"""A job's on_failure hook: run with every failed attempt (retrying, then dead), in the failure's own
transaction, scoped to the payload's org; a hook that fails never loses the failure's record."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.jobs import enqueue
from salesos.jobs.models import OutboxJob
from salesos.jobs.registry import load_job_modules
from salesos.jobs.sweep import WORKER_LOST, sweep
from salesos.jobs.testing import drain
from tests.jobs.sample_jobs import records

ORG = uuid.UUID("0190a0b0-0000-7000-8000-000000000003")


def _row() -> OutboxJob:
    with unit_of_work(write=False) as s:
        return s.scalars(select(OutboxJob).where(OutboxJob.name == "tests.hooked")).one()


def _run_all_attempts(label: str, fail_times: int) -> None:
    with unit_of_work() as s:
        enqueue(s, "tests.hooked", org_id=ORG, label=label, fail_times=fail_times)
    moment = utcnow()
    for _ in range(3):  # each drain jumps past the backoff of the previous failure
        drain(now=moment, raise_errors=False)
        moment += timedelta(hours=1)


def test_hook_sees_each_retry_then_the_death_scoped_to_the_org(jobs_env):
    _run_all_attempts("hopeless", fail_times=3)
    hooks = [row[2:] for row in records("hook")]
    # attempt, dead, has a retry time, tenant seen, exception
    assert hooks == [
        ["1", "False", "True", str(ORG), "RuntimeError"],
        ["2", "False", "True", str(ORG), "RuntimeError"],
        ["3", "True", "False", str(ORG), "RuntimeError"],
    ]
    assert (_row().status, _row().attempts) == ("dead", 3)


def test_hook_not_called_when_the_job_succeeds(jobs_env):
    _run_all_attempts("recovers", fail_times=1)
    assert [row[2] for row in records("hook")] == ["1"]
    assert (_row().status, _row().attempts) == ("done", 2)


def test_a_failing_hook_still_lets_the_failure_be_recorded(jobs_env):
    _run_all_attempts("broken-hook", fail_times=3)
    assert [row[2] for row in records("hook")] == ["1", "2", "3"]  # retried on schedule all the same
    row = _row()
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "RuntimeError: planned failure")


def test_sweep_reports_lost_workers_to_the_hook(jobs_env):
    load_job_modules()
    old = utcnow() - timedelta(hours=1)
    payload = {"org_id": str(ORG), "label": "lost", "fail_times": 0}
    with unit_of_work() as s:
        for key, attempts in (("lost", 1), ("lost-last", 3)):
            s.add(OutboxJob(name="tests.hooked", dedup_key=key, payload=payload, status="running",
                            attempts=attempts, max_attempts=3, locked_until=old))  # fmt: skip
    with unit_of_work() as s:
        report = sweep(s)
    assert (report.requeued, report.dead) == (1, 1)
    hooks = sorted(row[2:] for row in records("hook"))
    assert hooks == [["1", "False", "True", str(ORG), "-"], ["3", "True", "False", str(ORG), "-"]]
    with unit_of_work(write=False) as s:
        assert {r.last_error for r in s.scalars(select(OutboxJob))} == {WORKER_LOST}
