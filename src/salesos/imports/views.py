"""Import HTML pages: upload, the mapping screen with its preview, and live progress."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from salesos.api.middleware import allow_large_body
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.db.deps import DbSession
from salesos.errors import DomainError, ValidationFailed
from salesos.imports.api import SizeChecked, uploaded_file
from salesos.imports.models import ImportJob, ImportStatus
from salesos.imports.service import imports as import_service
from salesos.imports.service import mapping as mapping_rules
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.orgs.repository import MembershipRepository
from salesos.web.forms import domain_errors
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)

UPLOAD_PAGE = "/leads/import"
# The browser upload is as large as the API's; the size check is the same dependency.
allow_large_body(re.escape(UPLOAD_PAGE))


@router.get("/leads/import", response_class=HTMLResponse)
def upload_page(request: Request, principal: Writer, session: DbSession) -> Response:
    """Choose a CSV file (and optionally the tool it was exported from)."""
    context = {"errors": {}, "presets": sorted(mapping_rules.PRESETS)}
    return page(request, session, principal, "imports/upload.html", context)


@router.post("/leads/import", response_class=HTMLResponse)
async def upload(_size: SizeChecked, request: Request, principal: Writer, session: DbSession) -> Response:
    """Store the file and go to its mapping screen."""
    try:
        file, preset = await uploaded_file(request)
        job = await run_in_threadpool(
            import_service.create_import, session, principal, file.filename or "", file.file, preset
        )
    except DomainError as exc:
        context = {"errors": domain_errors(exc, "file"), "presets": sorted(mapping_rules.PRESETS)}
        return page(request, session, principal, "imports/upload.html", context, exc.status_code)
    return see_other(f"/leads/import/{job.id}")


def _mapping_context(
    session: Session, job: ImportJob, mapping: list[str], preset: str | None, default_owner: str
) -> dict[str, Any]:
    pipeline = ensure_default_pipeline(session)
    return {
        "job": job,
        "mapping": mapping,
        "preset": preset or "",
        "fields": mapping_rules.FIELDS,
        "presets": sorted(mapping_rules.PRESETS),
        "preview": import_service.preview(session, job, mapping),
        "owner_choices": MembershipRepository(session).lead_owners(),
        "default_owner": default_owner,
        "pipeline": pipeline,
        "errors": {},
    }


def _progress_context(job: ImportJob) -> dict[str, Any]:
    return {"job": job, "view": import_service.progress_view(job), "running": _running(job)}


def _running(job: ImportJob) -> bool:
    return job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


@router.get("/leads/import/{import_id}", response_class=HTMLResponse)
def import_page(
    request: Request, import_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession, preset: str = ""
) -> Response:
    """The mapping screen before the import starts; its progress afterwards."""
    job = import_service.import_or_404(session, import_id)
    if job.status == ImportStatus.UPLOADED:
        mapping = import_service.apply_preset(job, preset) if preset else job.mapping
        # The importer gets the new leads nobody is named for, as they would a lead they typed in.
        context = _mapping_context(session, job, mapping, preset or job.preset, str(principal.user_id or ""))
        return page(request, session, principal, "imports/mapping.html", context)
    return page(request, session, principal, "imports/progress.html", _progress_context(job))


@dataclass(frozen=True)
class MappingForm:
    """The mapping screen as submitted."""

    mapping: list[str]
    preset: str | None
    default_owner: str

    def default_owner_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.default_owner) if self.default_owner else None
        except ValueError:
            raise ValidationFailed("Choose a member who can own leads.", field="default_owner_id") from None


async def _form_mapping(request: Request, job: ImportJob) -> MappingForm:
    form = await request.form()
    mapping = [str(form.get(f"col_{i}", "")) for i in range(len(job.header))]
    preset = str(form.get("preset", "")) or None
    return MappingForm(mapping, preset, str(form.get("default_owner", "")))


@router.post("/leads/import/{import_id}/preview", response_class=HTMLResponse)
async def preview_fragment(
    request: Request, import_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """The preview table for the mapping as currently chosen on the screen."""
    job = import_service.import_or_404(session, import_id)
    form = await _form_mapping(request, job)
    context = _mapping_context(session, job, form.mapping, form.preset, form.default_owner)
    return page(request, session, principal, "imports/_preview.html", context)


@router.post("/leads/import/{import_id}/start", response_class=HTMLResponse)
async def start(request: Request, import_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Start the import with the chosen mapping, then watch its progress."""
    job = import_service.import_or_404(session, import_id)
    form = await _form_mapping(request, job)
    try:
        import_service.start_import(session, job, form.mapping, form.preset, form.default_owner_id())
    except DomainError as exc:
        context = _mapping_context(session, job, form.mapping, form.preset, form.default_owner)
        context["errors"] = domain_errors(exc, "mapping")
        return page(request, session, principal, "imports/mapping.html", context, exc.status_code)
    return see_other(f"/leads/import/{job.id}")


@router.get("/leads/import/{import_id}/progress", response_class=HTMLResponse)
def progress_fragment(
    request: Request, import_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """The progress block; it polls itself every second until the import ends."""
    job = import_service.import_or_404(session, import_id)
    return page(request, session, principal, "imports/_progress.html", _progress_context(job))
