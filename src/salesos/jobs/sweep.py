"""The sweep: Huey is at-most-once, so the outbox table decides what still has to run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import structlog
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import on_commit
from salesos.jobs import conf
from salesos.jobs.models import OutboxJob
from salesos.jobs.queue import relay
from salesos.jobs.registry import JobFailure
from salesos.jobs.runner import report_failure

log = structlog.get_logger(__name__)

BATCH = 500
WORKER_LOST = "worker lost while running (lock expired)"


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    requeued: int
    relayed: int
    dead: int
    purged: int


def _ids(session: Session, stmt: object) -> list[uuid.UUID]:
    return list(session.scalars(stmt))  # type: ignore[call-overload]


def sweep(session: Session, *, now: datetime | None = None) -> SweepReport:
    """Re-relay stale pending rows, recover rows whose worker died, purge old finished rows."""
    settings = get_settings()
    now = now or utcnow()
    expired = (OutboxJob.status == "running", OutboxJob.locked_until < now)
    no_sync = {"synchronize_session": False}

    # A consumer killed mid-run never finishes its row; once the lock lapses it is ours to retry.
    lost = (OutboxJob.id, OutboxJob.name, OutboxJob.payload, OutboxJob.attempts, OutboxJob.max_attempts)
    dead = session.execute(
        update(OutboxJob)
        .where(*expired, OutboxJob.attempts >= OutboxJob.max_attempts)
        .values(status="dead", locked_until=None, finished_at=now, last_error=WORKER_LOST)
        .returning(*lost)
        .execution_options(**no_sync)
    ).all()
    retried = session.execute(
        update(OutboxJob)
        .where(*expired, OutboxJob.attempts < OutboxJob.max_attempts)
        .values(status="pending", run_at=now, relayed_at=now, locked_until=None, last_error=WORKER_LOST)
        .returning(*lost)
        .execution_options(**no_sync)
    ).all()
    for row, retry_at in [*((row, None) for row in dead), *((row, now) for row in retried)]:
        failure = JobFailure(WORKER_LOST, None, row.attempts, row.max_attempts, retry_at)
        report_failure(session, row.name, dict(row.payload or {}), failure)
    requeued = [row.id for row in retried]

    # Due rows whose wake-up is older than job_stale_seconds: the relay was lost (crash between
    # commit and relay, queue flushed, Redis restarted without persistence).
    stale_before = now - timedelta(seconds=settings.job_stale_seconds)
    stale = (
        select(OutboxJob.id)
        .where(
            OutboxJob.status == "pending",
            OutboxJob.run_at <= now,
            or_(OutboxJob.relayed_at.is_(None), OutboxJob.relayed_at < stale_before),
        )
        .order_by(OutboxJob.run_at)
        .limit(BATCH)
    )
    relayed = _ids(
        session,
        update(OutboxJob)
        .where(OutboxJob.id.in_(stale.scalar_subquery()), OutboxJob.status == "pending")
        .values(relayed_at=now)
        .returning(OutboxJob.id)
        .execution_options(**no_sync),
    )

    # Finished rows go after the retention period; so do their dedup keys.
    purge_before = now - timedelta(days=conf.retention_days())
    purged = session.execute(
        delete(OutboxJob)
        .where(OutboxJob.status == "done", OutboxJob.finished_at < purge_before)
        .execution_options(**no_sync)
    ).rowcount  # type: ignore[attr-defined]

    for outbox_id in [*requeued, *relayed]:
        on_commit(session, partial(relay, outbox_id))
    report = SweepReport(requeued=len(requeued), relayed=len(relayed), dead=len(dead), purged=purged)
    if requeued or relayed or dead:
        log.warning("outbox_swept", **report.__dict__)
    return report
