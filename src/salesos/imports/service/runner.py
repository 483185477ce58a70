"""The import loop: stream the stored CSV, and commit each batch of leads together with its progress."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog

from salesos.auth.principal import Principal
from salesos.db.base import utcnow
from salesos.db.session import fresh_plans, unit_of_work
from salesos.errors import ValidationFailed
from salesos.imports.models import ImportJob, ImportStatus
from salesos.imports.repository import ImportJobRepository, RejectedRowRepository
from salesos.imports.service import batch as batch_store
from salesos.imports.service import rows, sniff
from salesos.imports.service.batch import RunState
from salesos.imports.service.context import ImportContext, load_context
from salesos.notifications import triggers as notify_on
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

    @property
    def skipped(self) -> int:
        """Empty records: read, neither a lead nor a rejection."""
        return max(0, self.rows_done - self.created - self.merged - self.rejected)


# Called after each committed batch (the CLI's progress bar; tests use it to crash mid-import).
BatchHook = Callable[[Progress], None]


class _Superseded(Exception):
    """Another run of this import is ahead of ours (a sweep re-ran a slow job): ours stops."""


def _progress(job: ImportJob) -> Progress:
    return Progress(job.status, job.rows_done, job.total_rows, job.created, job.merged, job.rejected)


def _clean_batch(
    job: ImportJob, start: int, batch: list[list[str]], context: ImportContext
) -> tuple[list[rows.CleanRow], list[rows.Rejected]]:
    """Check and normalise every record of the batch in Python; empty records are skipped."""
    cleaned: list[rows.CleanRow] = []
    rejected: list[rows.Rejected] = []
    for offset, cells in enumerate(batch):
        outcome = rows.clean(start + offset + 1, cells, job.mapping, job.header, context)
        if isinstance(outcome, rows.CleanRow):
            cleaned.append(outcome)
        elif outcome is not None:
            rejected.append(outcome)
    return cleaned, rejected


def _run_batch(
    org_id: uuid.UUID, import_id: uuid.UUID, start: int, batch: list[list[str]], state: RunState
) -> Progress:
    # Fresh plans: the import grows its tables faster than autovacuum re-analyses them.
    with unit_of_work(org_id=org_id) as session, fresh_plans(session):
        job = ImportJobRepository(session).locked(import_id)
        if job is None or job.rows_done != start or job.status != ImportStatus.RUNNING:
            raise _Superseded
        principal = Principal(org_id=org_id, role=Role.MEMBER, kind="api_key", user_id=job.created_by_id)
        context = load_context(session, job.default_owner_id, job.stage_values, job.pipeline_id)
        cleaned, rejected = _clean_batch(job, start, batch, context)
        try:
            result = batch_store.store(
                session, principal, cleaned, state, context.default_owner_id, context.pipeline
            )
        except ValidationFailed as exc:
            # Only the org's pipeline can refuse a clean record (no open stage): it refuses them all.
            reason = f"{exc.field}: {exc.detail}" if exc.field else exc.detail
            cells = {r.row_number: batch[r.row_number - start - 1] for r in cleaned}
            rejected += [rows.Rejected(n, reason, raw) for n, raw in cells.items()]
            result = batch_store.BatchResult(created=0, merged=0)
        RejectedRowRepository(session).add_many(
            [
                {"import_id": import_id, "row_number": r.row_number, "reason": r.reason, "raw": r.cells}
                for r in rejected
            ]
        )
        # Same transaction as the leads: a crash loses both or neither, so a resumed run never doubles.
        job.rows_done = start + len(batch)
        job.created += result.created
        job.merged += result.merged
        job.rejected += len(rejected)
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
        if job.status == ImportStatus.DONE:
            notify_on.import_finished(session, job)
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
    state = RunState()
    path = Path(job.stored_path)
    records = sniff.records(path, job.encoding, job.delimiter)
    # Records, not lines, are skipped: rows_done counts what the csv reader yielded.
    rows = itertools.islice(records, done, None)
    try:
        for batch in _batches(rows, batch_size):
            progress = _run_batch(org_id, import_id, done, batch, state)
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
