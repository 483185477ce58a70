"""Run one outbox row: claim it atomically, call the job in a tenant-scoped session, record the outcome."""

from __future__ import annotations

import inspect
import random
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import TENANT_KEY, on_commit, set_tenant, unit_of_work
from salesos.jobs import registry
from salesos.jobs.models import OutboxJob
from salesos.jobs.outbox import decode_payload
from salesos.jobs.queue import relay

log = structlog.get_logger(__name__)

# Huey's clock and the database's may disagree slightly; a wake-up this early still counts as due.
EARLY_TOLERANCE = timedelta(seconds=1)
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class JobContext:
    """What a running job may want to know about itself."""

    outbox_id: uuid.UUID
    name: str
    attempt: int
    max_attempts: int
    dedup_key: str | None


@dataclass(frozen=True)
class RunOutcome:
    """The result of one claimed run: its new status, and the error if it raised."""

    status: str
    error: BaseException | None = None


_current: ContextVar[JobContext | None] = ContextVar("salesos_current_job", default=None)


class _LockLost(Exception):
    """The sweep gave this row to another run while ours was still going."""


class PermanentJobError(Exception):
    """A failure that retrying cannot fix; jobs may raise it to go straight to "dead"."""


def current_job() -> JobContext | None:
    """The job running in this thread, or None outside a job."""
    return _current.get()


def backoff_seconds(attempt: int) -> float:
    """Delay before retrying after failed *attempt* (1-based): base * 2**(attempt-1), +0-10% jitter."""
    base = get_settings().job_backoff_base_seconds * 2 ** (attempt - 1)
    # Jitter spreads retries of jobs that failed together (e.g. a provider outage).
    return float(base * (1 + random.uniform(0, 0.1)))


def _claim(outbox_id: uuid.UUID, now: datetime) -> tuple[JobContext, dict[str, Any]] | None:
    lock_until = now + timedelta(seconds=get_settings().job_timeout_seconds)
    with unit_of_work() as session:
        stmt = (
            update(OutboxJob)
            .where(
                OutboxJob.id == outbox_id,
                OutboxJob.status == "pending",
                OutboxJob.run_at <= now + EARLY_TOLERANCE,
            )
            .values(status="running", attempts=OutboxJob.attempts + 1, locked_until=lock_until)
            .returning(
                OutboxJob.name,
                OutboxJob.payload,
                OutboxJob.attempts,
                OutboxJob.max_attempts,
                OutboxJob.dedup_key,
            )
            .execution_options(synchronize_session=False)
        )
        row = session.execute(stmt).first()
        if row is None:
            _reschedule_if_early(session, outbox_id, now)
            return None
    ctx = JobContext(outbox_id, row.name, row.attempts, row.max_attempts, row.dedup_key)
    return ctx, dict(row.payload or {})


def _reschedule_if_early(session: Session, outbox_id: uuid.UUID, now: datetime) -> None:
    # Duplicate or early wake-ups are normal (sweep, admin retry); only an early one for a row
    # still waiting needs a new wake-up, otherwise it would wait for the sweep.
    row = session.get(OutboxJob, outbox_id)
    if row is not None and row.status == "pending" and row.run_at > now + EARLY_TOLERANCE:
        on_commit(session, partial(relay, outbox_id, row.run_at))


def _call(session: Session, ctx: JobContext, payload: dict[str, Any]) -> None:
    spec = registry.get_job(ctx.name)
    if spec is None:
        raise PermanentJobError(f"no job registered as {ctx.name!r}")
    try:
        bound = inspect.signature(spec.func).bind(session, **decode_payload(payload))
    except TypeError as exc:
        raise PermanentJobError(f"payload does not match the job's signature: {exc}") from None
    spec.func(*bound.args, **bound.kwargs)


def _fenced(ctx: JobContext) -> Any:
    # attempts is the fencing token: a run whose row was handed to a newer attempt changes nothing.
    return (
        update(OutboxJob)
        .where(
            OutboxJob.id == ctx.outbox_id, OutboxJob.status == "running", OutboxJob.attempts == ctx.attempt
        )
        .execution_options(synchronize_session=False)
    )


# SQLAlchemy appends the statement and its bound values (which may be message bodies) on lines of their
# own; URLs may carry credentials in their query string.
_QUERY_VALUE = re.compile(r"([?&][^=&\s'\"]+)=[^&\s'\"]*")
MAX_LOGGED_ERROR_CHARS = 300


def loggable_error(exc: BaseException) -> str:
    """The exception's message fit for a log line: first line only, URL query values dropped, capped."""
    first_line = str(exc).strip().split("\n", 1)[0]
    return _QUERY_VALUE.sub(r"\1=[redacted]", first_line)[:MAX_LOGGED_ERROR_CHARS]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]


def report_failure(
    session: Session, name: str, payload: dict[str, Any], failure: registry.JobFailure
) -> None:
    """Run job *name*'s on_failure hook in *session*'s transaction, scoped to the payload's org.

    In a savepoint: a hook that raises is logged and undone, and the failure itself is still recorded.
    """
    spec = registry.get_job(name)
    if spec is None or spec.on_failure is None:
        return
    org_id = payload.get("org_id")
    previous = session.info.get(TENANT_KEY)
    set_tenant(session, uuid.UUID(org_id) if org_id else None)
    try:
        with session.begin_nested():
            spec.on_failure(session, failure, **decode_payload(payload))
    except Exception:
        log.exception("job_failure_hook_failed", job=name)
    finally:
        set_tenant(session, previous)


def _record_failure(ctx: JobContext, payload: dict[str, Any], exc: BaseException, now: datetime) -> str:
    # ProviderError(permanent=True) (a rejected address, a revoked key) will fail the same way again.
    permanent = isinstance(exc, PermanentJobError) or getattr(exc, "permanent", False) is True
    retry = not permanent and ctx.attempt < ctx.max_attempts
    with unit_of_work() as session:
        if retry:
            delay = backoff_seconds(ctx.attempt)
            run_at = now + timedelta(seconds=delay)
            values: dict[str, Any] = {
                "status": "pending",
                "run_at": run_at,
                "relayed_at": run_at,
                "locked_until": None,
            }
        else:
            values = {"status": "dead", "locked_until": None, "finished_at": now}
        result = session.execute(_fenced(ctx).values(last_error=_describe(exc), **values))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            log.warning("job_lock_lost", job=ctx.name, outbox_id=str(ctx.outbox_id), attempt=ctx.attempt)
            return "lost"
        failure = registry.JobFailure(_describe(exc), exc, ctx.attempt, ctx.max_attempts,
                                      run_at if retry else None)  # fmt: skip
        report_failure(session, ctx.name, payload, failure)
        if retry:
            on_commit(session, partial(relay, ctx.outbox_id, run_at))
    level = log.warning if retry else log.error
    level(
        "job_failed" if retry else "job_dead",
        job=ctx.name,
        outbox_id=str(ctx.outbox_id),
        attempt=ctx.attempt,
        max_attempts=ctx.max_attempts,
        error_type=type(exc).__name__,
        error=loggable_error(exc),
        retry_in=round(delay, 3) if retry else None,
    )
    return "pending" if retry else "dead"


def execute(outbox_id: uuid.UUID, *, now: datetime | None = None) -> RunOutcome | None:
    """Claim and run one outbox row; None when it is not claimable (done, running, gone, not due)."""
    claimed = _claim(outbox_id, now or utcnow())
    if claimed is None:
        return None
    ctx, payload = claimed
    org_id = payload.get("org_id")
    log.debug("job_started", job=ctx.name, outbox_id=str(outbox_id), attempt=ctx.attempt)
    started = time.monotonic()
    token = _current.set(ctx)
    try:
        # The job boundary: the job's writes and its "done" mark commit together or not at all.
        with unit_of_work(org_id=uuid.UUID(org_id) if org_id else None) as session:
            _call(session, ctx, payload)
            finished = session.execute(
                _fenced(ctx).values(status="done", locked_until=None, finished_at=utcnow(), last_error=None)
            )
            if finished.rowcount == 0:  # type: ignore[attr-defined]
                raise _LockLost
    except _LockLost:
        log.warning("job_lock_lost", job=ctx.name, outbox_id=str(outbox_id), attempt=ctx.attempt)
        return RunOutcome("lost")
    except Exception as exc:
        return RunOutcome(_record_failure(ctx, payload, exc, now or utcnow()), exc)
    finally:
        _current.reset(token)
    log.info(
        "job_done",
        job=ctx.name,
        outbox_id=str(outbox_id),
        attempt=ctx.attempt,
        duration_ms=round((time.monotonic() - started) * 1000, 1),
    )
    return RunOutcome("done")
