"""The import loop: stream the stored CSV, and commit each batch of leads together with its progress."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog
from pydantic import ValidationError
from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work
from salesos.errors import ValidationFailed
from salesos.imports.models import ImportJob, ImportStatus
from salesos.imports.repository import ImportJobRepository, RejectedRowRepository
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service import sniff
from salesos.leads.schemas import LeadCreateIn
from salesos.leads.service import dedup
from salesos.leads.service.leads import create_lead
from salesos.orgs.models import Role
from salesos.realtime.events import publish_after_commit

log = structlog.get_logger(__name__)

BATCH_SIZE = 500
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class Progress:
    """Where an import stands, as committed."""

    status: str
    rows_done: int
    total_rows: int
    created: int
    merged: int
    rejected: int


# Called after each committed batch (the CLI's progress bar; tests use it to crash mid-import).
BatchHook = Callable[[Progress], None]


class _Superseded(Exception):
    """Another run of this import is ahead of ours (a sweep re-ran a slow job): ours stops."""


def _progress(job: ImportJob) -> Progress:
    return Progress(job.status, job.rows_done, job.total_rows, job.created, job.merged, job.rejected)


def validation_reason(exc: ValidationError) -> str:
    """The first few schema errors as one line, e.g. ``company.name: String should have ...``."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)


def _store_row(session: Session, principal: Principal, data: LeadCreateIn) -> str:
    """Merge into this org's exact match (earlier rows of this file included: they are flushed) or create."""
    keys = dedup.match_keys(session, data)
    lead = dedup.find_existing_lead(session, email=keys.email, phone=keys.phone, domain=keys.domain)
    if lead is not None:
        dedup.merge_into(session, lead, data, actor_id=principal.user_id)
        return "merged"
    create_lead(session, principal, data)
    return "created"


def _row_outcome(
    session: Session, principal: Principal, cells: list[str], job: ImportJob
) -> tuple[str, str | None]:
    """("created" | "merged" | "skipped" | "rejected", reason) for one record, in its own savepoint."""
    try:
        body = mapping_rules.lead_input(cells, job.mapping, len(job.header))
        if body is None:
            return "skipped", None
        data = LeadCreateIn.model_validate(body)
    except mapping_rules.RowError as exc:
        return "rejected", str(exc)
    except ValidationError as exc:
        return "rejected", validation_reason(exc)
    try:
        # A savepoint per row: a refused row undoes only its own half-written company or contact.
        with session.begin_nested():
            return _store_row(session, principal, data), None
    except ValidationFailed as exc:
        return "rejected", f"{exc.field}: {exc.detail}" if exc.field else exc.detail


def _run_batch(org_id: uuid.UUID, import_id: uuid.UUID, start: int, batch: list[list[str]]) -> Progress:
    with unit_of_work(org_id=org_id) as session:
        job = ImportJobRepository(session).locked(import_id)
        if job is None or job.rows_done != start or job.status != ImportStatus.RUNNING:
            raise _Superseded
        principal = Principal(org_id=org_id, role=Role.MEMBER, kind="api_key", user_id=job.created_by_id)
        counts = {"created": 0, "merged": 0, "rejected": 0, "skipped": 0}
        rejected = []
        for offset, cells in enumerate(batch):
            status, reason = _row_outcome(session, principal, cells, job)
            counts[status] += 1
            if status == "rejected":
                row_number = start + offset + 1
                rejected.append(
                    {"import_id": import_id, "row_number": row_number, "reason": reason, "raw": cells}
                )
        RejectedRowRepository(session).add_many(rejected)
        # Same transaction as the leads: a crash loses both or neither, so a resumed run never doubles.
        job.rows_done = start + len(batch)
        job.created += counts["created"]
        job.merged += counts["merged"]
        job.rejected += counts["rejected"]
        session.flush()
        publish_after_commit(session, org_id, "import.progress", {"import_id": str(import_id)})
        return _progress(job)


def _begin(org_id: uuid.UUID, import_id: uuid.UUID) -> tuple[ImportJob, int] | None:
    """Mark the import running; None when it is already done (a repeated job changes nothing)."""
    with unit_of_work(org_id=org_id) as session:
        job = ImportJobRepository(session).locked(import_id)
        if job is None or job.status in (ImportStatus.DONE, ImportStatus.UPLOADED):
            return None
        job.status = ImportStatus.RUNNING
        job.error = None
        job.started_at = utcnow()
        job.rows_at_start = job.rows_done
        session.flush()
        session.expunge(job)
        return job, job.rows_done


def _finish(org_id: uuid.UUID, import_id: uuid.UUID, *, error: str | None = None) -> Progress | None:
    with unit_of_work(org_id=org_id) as session:
        job = ImportJobRepository(session).locked(import_id)
        if job is None:
            return None
        job.status = ImportStatus.FAILED if error else ImportStatus.DONE
        job.error = error[:MAX_ERROR_CHARS] if error else None
        job.finished_at = utcnow()
        publish_after_commit(session, org_id, "import.progress", {"import_id": str(import_id)})
        return _progress(job)


def _batches(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


def run_import(
    org_id: uuid.UUID,
    import_id: uuid.UUID,
    *,
    batch_size: int = BATCH_SIZE,
    after_batch: BatchHook | None = None,
) -> Progress | None:
    """Import the rows not yet done, one transaction per batch; resumable and idempotent."""
    begun = _begin(org_id, import_id)
    if begun is None:
        return None
    job, done = begun
    path = Path(job.stored_path)
    records = sniff.records(path, job.encoding, job.delimiter)
    # Records, not lines, are skipped: rows_done counts what the csv reader yielded.
    rows = itertools.islice(records, done, None)
    try:
        for batch in _batches(rows, batch_size):
            progress = _run_batch(org_id, import_id, done, batch)
            done = progress.rows_done
            if after_batch is not None:
                after_batch(progress)
    except _Superseded:
        log.info("import_superseded", import_id=str(import_id))
        return None
    except Exception as exc:
        # Recorded for the UI, then re-raised so the job is retried; the retry resumes at rows_done.
        _finish(org_id, import_id, error=f"{type(exc).__name__}: {exc}")
        raise
    return _finish(org_id, import_id)
