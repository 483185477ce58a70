"""Operator functions behind ``salesos jobs``.

Each takes an optional session: given one, it only flushes (the caller's boundary commits);
without one, it is its own boundary (the CLI case) and commits in a unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from salesos.db.base import utcnow
from salesos.db.session import on_commit, unit_of_work
from salesos.jobs.models import OutboxJob
from salesos.jobs.queue import relay

STATUSES = ("pending", "running", "done", "dead")
LIST_FILTERS = ("failed", "all", *STATUSES)


@contextmanager
def _session(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with unit_of_work() as own:
            yield own


def status_counts(session: Session | None = None) -> dict[str, int]:
    """Number of outbox rows per status (every status present, zero included)."""
    with _session(session) as s:
        rows = s.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status))
        counts = dict.fromkeys(STATUSES, 0)
        counts.update({str(status): int(count) for status, count in rows})
    return counts


def list_jobs(
    status: str = "failed", limit: int = 50, *, session: Session | None = None
) -> Sequence[OutboxJob]:
    """Rows with *status*, newest first; "failed" = dead plus pending rows retrying after an error."""
    if status not in LIST_FILTERS:
        raise ValueError(f"status must be one of {', '.join(LIST_FILTERS)}")
    stmt = select(OutboxJob).order_by(OutboxJob.created_at.desc()).limit(limit)
    if status == "failed":
        retrying = and_(OutboxJob.status == "pending", OutboxJob.last_error.is_not(None))
        stmt = stmt.where(or_(OutboxJob.status == "dead", retrying))
    elif status != "all":
        stmt = stmt.where(OutboxJob.status == status)
    with _session(session) as s:
        return s.scalars(stmt).all()


def ids_with_prefix(prefix: str, *, session: Session | None = None) -> list[uuid.UUID]:
    """Ids of jobs whose id starts with *prefix* (dashes optional), at most two: enough to tell unique."""
    digits = prefix.replace("-", "").lower()
    if not digits or len(digits) > 32 or any(c not in "0123456789abcdef" for c in digits):
        raise ValueError("not a job id or id prefix")
    # A prefix is a range of ids: compared with the column's own type, on either database.
    low, high = uuid.UUID(digits.ljust(32, "0")), uuid.UUID(digits.ljust(32, "f"))
    stmt = select(OutboxJob.id).where(OutboxJob.id.between(low, high)).order_by(OutboxJob.id).limit(2)
    with _session(session) as s:
        return list(s.scalars(stmt))


def retry_job(outbox_id: uuid.UUID, *, session: Session | None = None) -> bool:
    """Run a dead (or backing-off) job again now with a fresh attempt budget; False if not retryable."""
    with _session(session) as s:
        row = s.get(OutboxJob, outbox_id, with_for_update=True)
        if row is None or row.status not in ("dead", "pending"):
            return False
        now = utcnow()
        row.status, row.attempts, row.run_at, row.relayed_at = "pending", 0, now, now
        row.finished_at = row.locked_until = None
        s.flush()
        on_commit(s, partial(relay, row.id))
    return True
