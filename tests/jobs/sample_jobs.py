"""Jobs used by the job-system tests; worker subprocesses import them via SALESOS_EXTRA_JOB_MODULES.

Each run appends one line to ``<var_dir>/records.log`` (O_APPEND writes are atomic across processes),
so tests can count runs without a table of their own.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.jobs import JobFailure, current_job, job


def records_path() -> Path:
    """Where sample jobs write their run records."""
    return get_settings().var_dir / "records.log"


def append(*fields: object) -> None:
    """Record one event as a space-separated line."""
    with open(records_path(), "a") as fh:
        fh.write(" ".join(str(f) for f in fields) + "\n")


def records(kind: str | None = None) -> list[list[str]]:
    """Recorded events, optionally only those of *kind*."""
    path = records_path()
    lines = path.read_text().splitlines() if path.exists() else []
    rows = [line.split(" ") for line in lines]
    return [row for row in rows if kind is None or row[0] == kind]


def _tenant_seen(session: Session) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return str(session.execute(text("SELECT current_setting('app.current_tenant_id', true)")).scalar())
    return str(session.info.get("org_id"))


@job("tests.record")
def record(session: Session, *, org_id: uuid.UUID, label: str) -> None:
    """Record the run, the argument type, and the tenant the session is scoped to."""
    ctx = current_job()
    assert ctx is not None
    append("record", label, ctx.attempt, type(org_id).__name__, _tenant_seen(session), os.getpid())


@job("tests.flaky", max_attempts=5)
def flaky(session: Session, *, label: str, fail_times: int) -> None:
    """Fail on the first *fail_times* attempts, then succeed."""
    ctx = current_job()
    assert ctx is not None
    append("flaky", label, ctx.attempt)
    if ctx.attempt <= fail_times:
        raise RuntimeError("planned failure")


@job("tests.sleepy", max_attempts=3)
def sleepy(session: Session, *, label: str, sleep_seconds: float) -> None:
    """Record a start; the first start ever sleeps (long enough to be killed), later ones finish."""
    ctx = current_job()
    assert ctx is not None
    first = not any(row[1] == label for row in records("start"))
    append("start", label, ctx.attempt, os.getpid())
    if first:
        time.sleep(sleep_seconds)
    append("done", label, ctx.attempt, os.getpid())


@job("tests.overtaken", max_attempts=3)
def overtaken(session: Session, *, label: str) -> None:
    """On its first attempt, let a sweep from the future take the row over mid-run (lock expiry)."""
    from datetime import timedelta

    from salesos.db.base import utcnow
    from salesos.db.session import unit_of_work
    from salesos.jobs.sweep import sweep

    ctx = current_job()
    assert ctx is not None
    append("overtaken", label, ctx.attempt)
    if ctx.attempt == 1:
        with unit_of_work() as other:
            sweep(other, now=utcnow() + timedelta(hours=1))


@job("tests.rejected", max_attempts=5)
def rejected(session: Session, *, label: str) -> None:
    """Fail the way a provider rejecting the request for good does."""
    from salesos.integrations.base import ProviderError

    append("rejected", label)
    raise ProviderError("address rejected", permanent=True, provider="test")


def _hooked_failed(
    session: Session, failure: JobFailure, *, org_id: uuid.UUID, label: str, **_: object
) -> None:
    """Record what the failure hook saw; the "broken-hook" label makes the hook itself fail."""
    exception = type(failure.exception).__name__ if failure.exception else "-"
    append("hook", label, failure.attempt, failure.dead, failure.retry_at is not None, _tenant_seen(session),
           exception)  # fmt: skip
    if label == "broken-hook":
        raise RuntimeError("the hook has a bug")


@job("tests.hooked", max_attempts=3, on_failure=_hooked_failed)
def hooked(session: Session, *, org_id: uuid.UUID, label: str, fail_times: int) -> None:
    """Fail on the first *fail_times* attempts; each failure runs the hook."""
    ctx = current_job()
    assert ctx is not None
    append("hooked", label, ctx.attempt)
    if ctx.attempt <= fail_times:
        raise RuntimeError("planned failure")
