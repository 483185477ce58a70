"""Import HTML pages: upload, the mapping screen with its preview, and live progress."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from salesos.api.middleware import allow_large_body
from salesos.auth.deps import CurrentPrincipal, Writer
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.db.session import AppSession
from salesos.errors import DomainError, ValidationFailed
from salesos.imports.api import SizeChecked, uploaded_file
from salesos.imports.models import ImportJob, ImportStatus
from salesos.imports.service import imports as import_service
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service import sniff
from salesos.imports.service import stage_values as stage_value_rules
from salesos.imports.service.context import import_pipeline
from salesos.leads.service.pipelines import list_pipelines
from salesos.orgs.repository import MembershipRepository
from salesos.uploads import ENVELOPE_BYTES
from salesos.web.forms import domain_errors
from salesos.web.pages import is_htmx, page, see_other
from salesos.web.templating import render_error

router = APIRouter(include_in_schema=False)

UPLOAD_PAGE = "/leads/import"
# The browser upload is as large as the API's; the size check is the same dependency.
allow_large_body(re.escape(UPLOAD_PAGE), import_service.MAX_BYTES + ENVELOPE_BYTES)


@router.get("/leads/import", response_class=HTMLResponse)
def upload_page(request: Request, principal: Writer, session: DbSession) -> Response:
    """Choose a CSV file (and optionally the tool it was exported from)."""
    context = {"errors": {}, "presets": mapping_rules.preset_choices()}
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
        context = {"errors": domain_errors(exc, "file"), "presets": mapping_rules.preset_choices()}
        return page(request, session, principal, "imports/upload.html", context, exc.status_code)
    return see_other(f"/leads/import/{job.id}")


def _mapping_context(session: Session, job: ImportJob, form: MappingForm) -> dict[str, Any]:
    """What the mapping screen shows for the choices in *form*.

    The stage picked for each value of the stage column is kept while the screen shows the same
    pipeline; a value the screen did not show yet (the stage column just changed), or any value once
    another pipeline is chosen, gets the proposed stage.
    """
    pipeline = import_pipeline(session, form.pipeline_id())
    found = stage_value_rules.found_values(job, form.mapping, pipeline.stages)
    same_pipeline = form.stage_pipeline == str(pipeline.id)
    stage_values = stage_value_rules.with_choices(found, form.stage_choices if same_pipeline else None)
    chosen = {stage_value_rules.key(value.value): choice for value, choice in stage_values if choice}
    names = {str(stage.id): stage.name for stage in pipeline.stages}
    return {
        "job": job,
        "encoding": sniff.encoding_label(job.encoding),
        "mapping": form.mapping,
        "preset": form.preset or "",
        "fields": mapping_rules.FIELDS,
        "presets": mapping_rules.preset_choices(),
        "preview": import_service.preview(session, job, form.mapping, chosen, pipeline.id),
        "owner_choices": MembershipRepository(session).lead_owners(),
        "default_owner": form.default_owner,
        "pipeline": pipeline,
        "pipelines": list_pipelines(session),
        "stage_values": stage_values,
        # The preview's stage cells say where a value the user sent elsewhere goes.
        "stage_targets": {key: names[choice] for key, choice in chosen.items() if choice in names},
        # The stage values on screen are another column's or another pipeline's: the screen replaces them.
        "stage_values_changed": not same_pipeline
        or {v.value for v, _ in stage_values} != set(form.stage_choices),
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
        owner = str(principal.user_id or "")
        form = MappingForm(mapping, preset or job.preset, owner, {}, str(job.pipeline_id or ""), "")
        return page(request, session, principal, "imports/mapping.html", _mapping_context(session, job, form))
    return page(request, session, principal, "imports/progress.html", _progress_context(job))


@dataclass(frozen=True)
class MappingForm:
    """The mapping screen as submitted."""

    mapping: list[str]
    preset: str | None
    default_owner: str
    # The stage column's values as the screen listed them → the stage picked ("" = match by name).
    stage_choices: dict[str, str]
    pipeline: str
    # The pipeline whose stages the screen's stage selects offered.
    stage_pipeline: str

    def pipeline_id(self) -> uuid.UUID | None:
        """The pipeline chosen (None: the default one)."""
        try:
            return uuid.UUID(self.pipeline) if self.pipeline else None
        except ValueError:
            raise ValidationFailed("Choose a pipeline.", field="pipeline_id") from None

    def stage_values(self) -> dict[str, str]:
        """The values sent to a stage, for the import."""
        return {value: choice for value, choice in self.stage_choices.items() if choice}

    def default_owner_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.default_owner) if self.default_owner else None
        except ValueError:
            raise ValidationFailed("Choose a member who can own leads.", field="default_owner_id") from None

    def check_fields(self, header: list[str]) -> None:
        """Refuse a column set to something that is no lead field.

        The screen's selects only offer fields, so only a hand-made request sends one; the screen can't
        show it either (each preview column is headed with its field's label).
        """
        for name, field in zip(header, self.mapping, strict=True):
            if field and field not in mapping_rules.FIELDS:
                column = name[:40] or "(no name)"
                raise ValidationFailed(
                    f"Column “{column}” is set to “{field[:40]}”, which is not a lead field. "
                    "Choose one from the list.",
                    field="mapping",
                )

    def known_fields(self) -> MappingForm:
        """This form with the columns set to no lead field back on "Don't import", to show it again."""
        return replace(self, mapping=[f if f in mapping_rules.FIELDS else "" for f in self.mapping])


def _form_mapping(form: FormData, job: ImportJob) -> MappingForm:
    mapping = [str(form.get(f"col_{i}", "")) for i in range(len(job.header))]
    preset = str(form.get("preset", "")) or None
    stage_choices = {}
    for i in range(stage_value_rules.MAX_VALUES):
        value = form.get(f"stage_source_{i}")
        if not isinstance(value, str):
            break
        stage_choices[value] = str(form.get(f"stage_value_{i}", ""))
    return MappingForm(
        mapping,
        preset,
        str(form.get("default_owner", "")),
        stage_choices,
        str(form.get("pipeline_id", "")),
        str(form.get("stage_pipeline", "")),
    )


# The two POSTs below are async only to read the form; what follows (queries, a pass over the file for
# the stage column's values, rendering) runs in one threadpool hop, off the event loop.


@router.post("/leads/import/{import_id}/preview", response_class=HTMLResponse)
async def preview_fragment(
    request: Request, import_id: uuid.UUID, principal: Writer, session: DbSession
) -> Response:
    """The preview table for the mapping as currently chosen on the screen."""
    form = await request.form()
    return await run_in_threadpool(_preview, request, import_id, principal, session, form)


def _preview(
    request: Request, import_id: uuid.UUID, principal: Principal, session: AppSession, data: FormData
) -> Response:
    job = import_service.import_or_404(session, import_id)
    form = _form_mapping(data, job)
    try:
        form.check_fields(job.header)
    except ValidationFailed as exc:
        return _refused(request, session, principal, job, form, exc)
    context = _mapping_context(session, job, form)
    return page(request, session, principal, "imports/_preview_update.html", context)


@router.post("/leads/import/{import_id}/start", response_class=HTMLResponse)
async def start(request: Request, import_id: uuid.UUID, principal: Writer, session: DbSession) -> Response:
    """Start the import with the chosen mapping, then watch its progress."""
    form = await request.form()
    return await run_in_threadpool(_start, request, import_id, principal, session, form)


def _start(
    request: Request, import_id: uuid.UUID, principal: Principal, session: AppSession, data: FormData
) -> Response:
    job = import_service.import_or_404(session, import_id)
    form = _form_mapping(data, job)
    try:
        form.check_fields(job.header)
        import_service.start_import(
            session,
            job,
            form.mapping,
            form.preset,
            form.default_owner_id(),
            form.stage_values(),
            form.pipeline_id(),
        )
    except DomainError as exc:
        return _refused(request, session, principal, job, form, exc)
    return see_other(f"/leads/import/{job.id}")


def _refused(
    request: Request,
    session: AppSession,
    principal: Principal,
    job: ImportJob,
    form: MappingForm,
    exc: DomainError,
) -> Response:
    """The mapping screen again, with the reason next to the mapping.

    An HTMX preview gets the reason in the page's message area instead: it would swap a whole screen
    into the preview's place.
    """
    if is_htmx(request):
        return render_error(request, exc.status_code, exc.problem(), exc.headers)
    context = _mapping_context(session, job, form.known_fields())
    context["errors"] = domain_errors(exc, "mapping")
    return page(request, session, principal, "imports/mapping.html", context, exc.status_code)


@router.get("/leads/import/{import_id}/progress", response_class=HTMLResponse)
def progress_fragment(
    request: Request, import_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """The progress block; it polls itself every second until the import ends."""
    job = import_service.import_or_404(session, import_id)
    # The heading goes along (out of band): it says whether the import is still running.
    context = _progress_context(job) | {"oob_title": True}
    return page(request, session, principal, "imports/_progress.html", context)
