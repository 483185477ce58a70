"""Imports JSON API: upload a CSV, start it with a mapping, follow progress, download the rejects."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from salesos.api.middleware import allow_large_body
from salesos.api.schemas import multipart_upload
from salesos.auth.deps import Viewer, Writer
from salesos.db.deps import DbSession
from salesos.errors import DomainError, ValidationFailed
from salesos.imports import schemas
from salesos.imports.models import ImportJob
from salesos.imports.service import imports as import_service
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service import stage_values as stage_value_rules
from salesos.imports.service.context import import_pipeline
from salesos.uploads import ENVELOPE_BYTES

router = APIRouter(tags=["imports"])


class LengthRequired(DomainError):
    status_code = 411
    title = "Length required"


UPLOAD_PATH = "/api/v1/imports"
# Uploads are up to 100 MB, past the global 1 MiB body limit; this module says so first, by the declared size.
allow_large_body(re.escape(UPLOAD_PATH), import_service.MAX_BYTES + ENVELOPE_BYTES)


async def declared_size_ok(request: Request) -> None:
    """413 before anything reads the body when Content-Length is over the limit; 411 without one.

    Async: it only reads a header, and a sync dependency would cost a threadpool hop.
    """
    declared = request.headers.get("content-length", "")
    if request.method == "POST" and not declared.isdigit():
        # Without a length the body could only be bounded by reading it; nobody sends uploads chunked.
        raise LengthRequired("Send the upload with a Content-Length.")
    if declared.isdigit() and int(declared) > import_service.MAX_BYTES + ENVELOPE_BYTES:
        raise import_service.too_large()


SizeChecked = Annotated[None, Depends(declared_size_ok)]


def import_out(job: ImportJob) -> schemas.ImportOut:
    """The import with its derived progress figures."""
    view = import_service.progress_view(job)
    return schemas.ImportOut.model_validate(
        {**{k: getattr(job, k) for k in schemas.ImportOut.model_fields if hasattr(job, k)}, **vars(view)}
    )


def upload_out(session: Session, job: ImportJob) -> schemas.ImportUploadOut:
    """The new import plus the field list, presets and checked preview the mapping screen needs."""
    preview = import_service.preview(session, job)
    return schemas.ImportUploadOut(
        **import_out(job).model_dump(),
        fields=mapping_rules.FIELDS,
        presets=sorted(mapping_rules.PRESETS),
        preview=preview.rows,
        preview_reasons=preview.reasons,
        mapping_problem=preview.problem,
        stage_values_found=[
            schemas.StageValueFound.model_validate(vars(found))
            for found in stage_value_rules.found_values(
                job, job.mapping, import_pipeline(session, job.pipeline_id).stages
            )
        ],
    )


async def uploaded_file(request: Request) -> tuple[UploadFile, str | None]:
    """The multipart ``file`` part and optional ``preset`` field; 422 without a file."""
    form = await request.form(max_files=1, max_fields=10)
    file = form.get("file")
    # A browser sends a file input left empty as a part with no file name and no bytes.
    if not isinstance(file, UploadFile) or not file.filename:
        raise ValidationFailed("Choose a CSV file to upload.", field="file")
    preset = form.get("preset")
    return file, preset if isinstance(preset, str) and preset else None


@router.post(
    "/imports",
    status_code=201,
    response_model=schemas.ImportUploadOut,
    openapi_extra=multipart_upload(preset={"type": "string", "enum": sorted(mapping_rules.PRESETS)}),
)
async def upload_import(
    _size: SizeChecked, request: Request, principal: Writer, session: DbSession
) -> schemas.ImportUploadOut:
    """Upload a CSV (up to 100 MB): returns its header, the detected mapping and a 20-row preview."""
    file, preset = await uploaded_file(request)
    job = await run_in_threadpool(
        import_service.create_import, session, principal, file.filename or "", file.file, preset
    )
    return await run_in_threadpool(upload_out, session, job)


@router.post("/imports/{import_id}/start", response_model=schemas.ImportOut)
def start_import(
    import_id: uuid.UUID, body: schemas.ImportStartIn, principal: Writer, session: DbSession
) -> schemas.ImportOut:
    """Start the import with this mapping; it runs as a background job."""
    job = import_service.import_or_404(session, import_id)
    started = import_service.start_import(
        session, job, body.mapping, body.preset, body.default_owner_id, body.stage_values, body.pipeline_id
    )
    return import_out(started)


@router.get("/imports/{import_id}", response_model=schemas.ImportOut)
def get_import(import_id: uuid.UUID, principal: Viewer, session: DbSession) -> schemas.ImportOut:
    """Status and progress: rows done of total, rows/s and seconds left."""
    return import_out(import_service.import_or_404(session, import_id))


@router.get(
    "/imports/{import_id}/rejected.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def rejected_rows(import_id: uuid.UUID, principal: Viewer, session: DbSession) -> Response:
    """The rows the import refused, with the reason, as CSV (formula cells neutralised)."""
    job = import_service.import_or_404(session, import_id)
    chunks = import_service.rejected_csv_chunks(principal.org_id, job.id, job.header)
    filename = f"rejected-{job.id}.csv"
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
