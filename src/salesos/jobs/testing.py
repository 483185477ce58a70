"""Run jobs deterministically in tests: no consumer, no waiting, same claim-and-run path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.jobs.models import OutboxJob
from salesos.jobs.registry import load_job_modules
from salesos.jobs.runner import execute


def drain(max_rounds: int = 10, *, now: datetime | None = None, raise_errors: bool = True) -> int:
    """Run every due pending outbox row, round after round, until none is due; returns the run count.

    Jobs enqueued by jobs run in the next round. *now* lets a test jump past backoff delays.
    With *raise_errors*, the first job exception is re-raised after its outcome is recorded.
    """
    load_job_modules()
    runs = 0
    for _ in range(max_rounds):
        moment = now or utcnow()
        with unit_of_work(write=False) as session:
            due = session.scalars(
                select(OutboxJob.id)
                .where(OutboxJob.status == "pending", OutboxJob.run_at <= moment)
                .order_by(OutboxJob.run_at, OutboxJob.id)
            ).all()
        if not due:
            return runs
        for outbox_id in due:
            outcome = execute(outbox_id, now=moment)
            if outcome is None:
                continue
            runs += 1
            if raise_errors and outcome.error is not None:
                raise outcome.error
    raise RuntimeError(f"outbox still has due jobs after {max_rounds} rounds (a job re-enqueuing itself?)")
