"""The import lifecycle: store an upload, describe it, start it, report progress, list its rejects."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.config import get_settings
from salesos.db.base import utcnow, uuid7
from salesos.db.session import unit_of_work
from salesos.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from salesos.imports.models import ImportJob, ImportStatus
from salesos.imports.repository import ImportJobRepository, RejectedRowRepository
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service import rows as clean_rows
from salesos.imports.service import sniff
from salesos.imports.service import stage_values as stage_value_rules
from salesos.imports.service.context import import_pipeline, load_context
from salesos.jobs import enqueue
from salesos.leads.export import neutralise
from salesos.orgs.repository import MembershipRepository
from salesos.uploads import store_capped

MAX_BYTES = 100 * 1024 * 1024
PREVIEW_ROWS = 20


def too_large() -> PayloadTooLarge:
    """The 413 for a file over the limit."""
    return PayloadTooLarge(f"CSV files are limited to {MAX_BYTES // (1024 * 1024)} MB.")


def import_or_404(session: Session, import_id: uuid.UUID) -> ImportJob:
    """An import of this org; another org's id answers exactly like a missing one."""
    job = ImportJobRepository(session).get(import_id)
    if job is None:
        raise NotFound("Import not found.")
    return job


def create_import(
    session: Session, principal: Principal, filename: str, source: BinaryIO, preset: str | None = None
) -> ImportJob:
    """Store the upload under var/imports/<org>/<id>.csv, sniff it, and propose a mapping."""
    if preset and preset not in mapping_rules.PRESETS:
        raise ValidationFailed("Unknown preset.", field="preset")
    import_id = uuid7()
    path = get_settings().var_dir / "imports" / str(principal.org_id) / f"{import_id}.csv"
    store_capped(source, path, MAX_BYTES, too_large())
    try:
        encoding = sniff.sniff_encoding(path)
    except sniff.NotCsv as exc:
        path.unlink(missing_ok=True)
        raise ValidationFailed(str(exc), field="file") from None
    delimiter = sniff.sniff_delimiter(path, encoding)
    header = sniff.header(path, encoding, delimiter)
    if not any(header):
        path.unlink(missing_ok=True)
        raise ValidationFailed("The file is empty or has no header row.", field="file")
    job = ImportJob(
        id=import_id,
        created_by_id=principal.user_id,
        filename=(filename or "upload.csv")[:255],
        stored_path=str(path),
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        mapping=mapping_rules.auto_mapping(header, preset),
        preset=preset,
        status=ImportStatus.UPLOADED,
        total_rows=sniff.count_records(path, encoding, delimiter),
    )
    return ImportJobRepository(session).add(job)


def apply_preset(job: ImportJob, preset: str | None) -> list[str]:
    """The auto mapping of *job*'s header under *preset* (unknown names mean no preset)."""
    return mapping_rules.auto_mapping(job.header, preset if preset in mapping_rules.PRESETS else None)


@dataclass(frozen=True)
class Preview:
    """The first records as the lead fields they fill, and why each would be rejected (None: it wouldn't).

    *problem* is what is wrong with the mapping itself; records aren't checked until it is right.
    """

    rows: list[dict[str, str]]
    reasons: list[str | None]
    problem: str | None

    @property
    def rejected(self) -> int:
        return sum(reason is not None for reason in self.reasons)


def preview(
    session: Session,
    job: ImportJob,
    mapping: list[str] | None = None,
    stage_values: dict[str, str] | None = None,
    pipeline_id: uuid.UUID | None = None,
) -> Preview:
    """The first 20 records under *mapping*, *stage_values* and *pipeline_id* (default: the job's),
    checked as the import will check them.

    Only what a record can be told from on its own: whether it merges into an existing lead shows in
    the import's counts.
    """
    use = mapping if mapping is not None else job.mapping
    records = list(
        itertools.islice(sniff.records(Path(job.stored_path), job.encoding, job.delimiter), PREVIEW_ROWS)
    )
    # Custom fields under "custom:<column name>", so they can't be taken for a lead field.
    shown = [
        mapping_rules.mapped(cells, use)
        | {f"custom:{k}": v for k, v in mapping_rules.custom_values(cells, use, job.header).items()}
        for cells in records
    ]
    problem = mapping_rules.check_mapping(use, job.header)
    if problem is not None:
        return Preview(shown, [None] * len(shown), problem)
    values = stage_values if stage_values is not None else job.stage_values
    context = load_context(session, job.default_owner_id, values, pipeline_id or job.pipeline_id)
    reasons = []
    for number, cells in enumerate(records, start=1):
        outcome = clean_rows.clean(number, cells, use, job.header, context)
        reasons.append(outcome.reason if isinstance(outcome, clean_rows.Rejected) else None)
    return Preview(shown, reasons, None)


def default_owner(session: Session, user_id: uuid.UUID | None) -> uuid.UUID | None:
    """*user_id* if that member can own leads; a viewer or a stranger is refused."""
    if user_id is None:
        return None
    if not MembershipRepository(session).can_own_leads(user_id):
        raise ValidationFailed("Choose a member who can own leads.", field="default_owner_id")
    return user_id


def start_import(
    session: Session,
    job: ImportJob,
    mapping: list[str],
    preset: str | None = None,
    default_owner_id: uuid.UUID | None = None,
    stage_values: Mapping[str, uuid.UUID | str] | None = None,
    pipeline_id: uuid.UUID | None = None,
) -> ImportJob:
    """Save the (edited) mapping and queue the import job; starting twice is refused.

    *stage_values*: which stage each of the file's own stage names goes to (see ``stage_values``).
    *pipeline_id*: the pipeline the new leads go to (None: the default one).
    """
    if job.status != ImportStatus.UPLOADED:
        raise Conflict("This import has already been started.")
    problem = mapping_rules.check_mapping(mapping, job.header)
    if problem:
        raise ValidationFailed(problem, field="mapping")
    pipeline = import_pipeline(session, pipeline_id)
    if pipeline_id is not None and pipeline.id != pipeline_id:  # not a pipeline of this org
        raise ValidationFailed("Unknown pipeline.", field="pipeline_id")
    values = (
        stage_value_rules.checked(stage_values or {}, list(pipeline.stages)) if "stage" in mapping else {}
    )
    owner_id = default_owner(session, default_owner_id)
    # Only once every choice is checked: a refused start leaves the import as it was.
    job.stage_values = values
    job.pipeline_id = pipeline_id
    job.default_owner_id = owner_id
    job.mapping = list(mapping)
    job.preset = preset if preset in mapping_rules.PRESETS else job.preset
    job.status = ImportStatus.QUEUED
    session.flush()
    enqueue(session, "imports.run", dedup_key=f"imports.run:{job.id}", org_id=job.org_id, import_id=job.id)
    return job


@dataclass(frozen=True)
class ProgressView:
    """Progress as the API and the progress bar show it."""

    percent: int
    rows_per_second: float | None
    eta_seconds: int | None


def progress_view(job: ImportJob) -> ProgressView:
    """Percent done, this run's rows/s, and seconds left at that rate."""
    total = job.total_rows
    percent = 100 if job.status == ImportStatus.DONE or total == 0 else min(100, job.rows_done * 100 // total)
    if job.started_at is None:
        return ProgressView(percent, None, None)
    end = job.finished_at if job.finished_at and job.status != ImportStatus.RUNNING else utcnow()
    elapsed = (end - job.started_at).total_seconds()
    processed = job.rows_done - job.rows_at_start
    if elapsed <= 0 or processed <= 0:
        return ProgressView(percent, None, None)
    rate = processed / elapsed
    eta = 0 if job.status == ImportStatus.DONE else round(max(total - job.rows_done, 0) / rate)
    return ProgressView(percent, round(rate, 1), eta)


def rejected_csv_chunks(org_id: uuid.UUID, import_id: uuid.UUID, header: list[str]) -> Iterator[bytes]:
    """The rejected rows as CSV (row, reason, original cells), formula cells neutralised, page by page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel reads a BOM-marked file as UTF-8
    writer.writerow(neutralise(c) for c in ["row", "reason", *header])
    after = 0
    while True:
        with unit_of_work(write=False, org_id=org_id) as session:
            page = RejectedRowRepository(session).for_import(import_id, after=after)
        for row in page:
            writer.writerow(neutralise(c) for c in [row.row_number, row.reason, *row.raw])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if not page:
            return
        after = page[-1].row_number
