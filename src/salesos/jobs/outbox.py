"""enqueue(): write an outbox row in the caller's transaction and relay it to Huey after commit."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from functools import partial
from typing import Any

import structlog
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.db.base import utcnow, uuid7
from salesos.db.session import on_commit
from salesos.jobs import registry
from salesos.jobs.models import OutboxJob
from salesos.jobs.queue import relay

log = structlog.get_logger(__name__)

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SCALARS = (str, int, float, bool, type(None))


def _encode(key: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple):
        return [_encode(key, item) for item in value]
    # Payloads are ids, not objects: the job reloads current state instead of acting on a stale copy.
    raise TypeError(f"job payload {key!r} must be an id or a scalar, not {type(value).__name__}")


def encode_payload(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe payload: UUIDs become strings; anything but ids and scalars is refused."""
    return {key: _encode(key, value) for key, value in values.items()}


def _decode(value: Any) -> Any:
    if isinstance(value, str) and _UUID.match(value):
        return uuid.UUID(value)
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def decode_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The job's keyword arguments: canonical UUID strings come back as uuid.UUID."""
    return {key: _decode(value) for key, value in payload.items()}


def _spec_for(name: str) -> registry.JobSpec:
    spec = registry.get_job(name)
    if spec is None:
        # A service may enqueue before anything imported the domain's jobs.py.
        registry.load_job_modules()
        spec = registry.get_job(name)
    if spec is None:
        raise LookupError(f"no job registered as {name!r}")
    return spec


def enqueue(
    session: Session,
    name: str,
    /,
    *,
    dedup_key: str | None = None,
    run_at: datetime | None = None,
    **payload: Any,
) -> OutboxJob | None:
    """Add job *name* to the caller's transaction; None when *dedup_key* is already taken."""
    spec = _spec_for(name)
    if spec.tenant and payload.get("org_id") is None:
        raise ValueError(f"job {name!r} is tenant-scoped and needs org_id in its payload")
    now = utcnow()
    due = run_at or now
    if due.tzinfo is None:
        raise ValueError("run_at must be timezone-aware")
    values = {
        "id": uuid7(),
        "name": name,
        "payload": encode_payload(payload),
        "dedup_key": dedup_key,
        "status": "pending",
        "attempts": 0,
        "max_attempts": spec.max_attempts or get_settings().job_max_attempts,
        "run_at": due,
        # Counted as relayed now: the after-commit relay is imminent, and if it is lost the sweep
        # notices once this is older than job_stale_seconds.
        "relayed_at": max(now, due),
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # ON CONFLICT DO NOTHING: a duplicate key (from this transaction or a concurrent one) is a
    # no-op instead of an error that would abort the caller's whole transaction.
    stmt = insert(OutboxJob).values(**values).on_conflict_do_nothing().returning(OutboxJob)
    row = session.scalars(stmt).first()
    if row is None:
        log.debug("job_deduplicated", job=name)
        return None
    on_commit(session, partial(relay, row.id, due))
    return row
