"""Background work of the leads domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed
from salesos.jobs import PermanentJobError, job
from salesos.leads.service import duplicates
from salesos.leads.service.bulk import BulkChanges, parse_filter_payload, run_bulk_job


@job("leads.bulk_update")
def bulk_update(
    session: Session,
    *,
    org_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    changes: list[list[Any]],
    ids: list[uuid.UUID] | None = None,
    filters: list[list[Any]] | None = None,
    up_to: uuid.UUID | None = None,
) -> None:
    """Apply a bulk change to *ids*, or to the leads matching *filters* up to *up_to*, batch by batch."""
    # Like the import runner, the batches commit in their own transactions; this job's session stays
    # unused so on SQLite it holds no write lock that the batches would wait on.
    try:
        run_bulk_job(
            org_id,
            actor_id,
            BulkChanges.from_payload(changes),
            ids=ids,
            filters=parse_filter_payload(filters) if filters is not None else None,
            up_to=up_to,
        )
    except ValidationFailed as exc:
        # The stage or owner went away since the request: retrying won't bring them back.
        raise PermanentJobError(exc.detail) from exc


@job("leads.find_duplicates")
def find_duplicates(session: Session, *, org_id: uuid.UUID, since: str | None = None) -> None:
    """Store merge suggestions for leads created since *since* (all leads without it); reruns add nothing."""
    duplicates.scan(session, datetime.fromisoformat(since) if since else None)
