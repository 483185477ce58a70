"""Settings → Pipelines: admins create, rename, set the default and edit stages; everyone else reads.

Each pipeline is one card; HTMX edits inside a card get the card back (errors next to their field), plain
form posts redirect to the page (or re-render it with the errors)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from salesos.auth.deps import Admin, CurrentPrincipal
from salesos.auth.principal import Principal
from salesos.db.deps import DbSession
from salesos.errors import DomainError
from salesos.leads import schemas
from salesos.leads.models import Pipeline, StageKind
from salesos.leads.repository import StageRepository
from salesos.leads.service import pipelines as pipeline_service
from salesos.web.forms import FORM, FormErrors, attempt, domain_errors, validate
from salesos.web.pages import is_htmx, page, see_other

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
PAGE = "/settings/pipelines"
KINDS = [(k.value, k.value.capitalize()) for k in StageKind]
NOTICES = {
    "created": "Pipeline created.",
    "renamed": "Pipeline renamed.",
    "default": "Default pipeline changed: new leads start there.",
    "deleted": "Pipeline deleted.",
    "stage": "Stages saved.",
    "stage_deleted": "Stage deleted.",
}


def _context(session: DbSession, **ctx: Any) -> dict[str, Any]:
    return {
        "pipelines": pipeline_service.list_pipelines(session),
        "counts": StageRepository(session).lead_counts(),
        "kinds": KINDS,
        "move_targets": pipeline_service.move_targets,
        "card_errors": {},
        "card_values": {},
        "create_errors": {},
        "create_values": {},
        **ctx,
    }


def _page(
    request: Request, session: DbSession, principal: Principal, status_code: int = 200, **ctx: Any
) -> HTMLResponse:
    context = _context(session, **ctx)
    return page(request, session, principal, "leads/pipelines.html", context, status_code=status_code)


def _card(
    request: Request,
    session: DbSession,
    principal: Principal,
    pipeline: Pipeline,
    status_code: int = 200,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    session.expire(pipeline, ["stages"])
    context = {
        "p": pipeline,
        "counts": StageRepository(session).lead_counts(),
        "kinds": KINDS,
        "move_targets": pipeline_service.move_targets,
        "perr": errors or {},
        "pvals": values or {},
        "row_notice": notice,
    }
    return page(request, session, principal, "leads/_pipeline.html", context, status_code=status_code)


def _keyed(errors: FormErrors, prefix: str) -> FormErrors:
    """Errors of one form inside a card, keyed so they land next to that form's fields."""
    return {(f"{prefix}{k}" if k != FORM else FORM): v for k, v in errors.items()}


def _edit(
    request: Request,
    session: DbSession,
    principal: Principal,
    pipeline_id: uuid.UUID,
    action: Callable[[Pipeline], object],
    *,
    done: str,
    prefix: str = "",
    form_check: tuple[type[BaseModel], dict[str, Any]] | None = None,
    values: dict[str, str] | None = None,
    default_field: str = FORM,
) -> Response:
    """Run one edit of a pipeline and answer: the card (HTMX) or the page (a plain form post)."""
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    errors: FormErrors = {}
    status = 422
    if form_check is not None:
        _, errors = validate(*form_check)
    if not errors:
        try:
            with attempt(session):
                action(pipeline)
            if is_htmx(request):
                return _card(request, session, principal, pipeline, notice=NOTICES[done])
            return see_other(f"{PAGE}?done={done}#pipeline-{pipeline.id}")
        except DomainError as exc:
            errors, status = domain_errors(exc, default_field), exc.status_code
    errors = _keyed(errors, prefix)
    shown = {f"{prefix}{k}": v for k, v in (values or {}).items()}
    if is_htmx(request):
        return _card(request, session, principal, pipeline, status, errors=errors, values=shown)
    return _page(
        request,
        session,
        principal,
        status,
        card_errors={pipeline.id: errors},
        card_values={pipeline.id: shown},
    )


@router.get(PAGE, response_class=HTMLResponse)
def pipelines_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, done: str = ""
) -> Response:
    """The organisation's pipelines and their stages (admins edit, everyone else reads)."""
    return _page(request, session, principal, notice=NOTICES.get(done))


@router.post(PAGE, response_class=HTMLResponse)
def create_pipeline(request: Request, principal: Admin, session: DbSession, name: Text = "") -> Response:
    """Create a pipeline with the default stages."""
    values = {"name": name}
    form, errors = validate(schemas.PipelineCreateIn, values)
    status = 422
    if form is not None:
        try:
            with attempt(session):
                pipeline = pipeline_service.create_pipeline(session, form.name)
            return see_other(f"{PAGE}?done=created#pipeline-{pipeline.id}")
        except DomainError as exc:
            errors, status = domain_errors(exc, "name"), exc.status_code
    return _page(request, session, principal, status, create_errors=errors, create_values=values)


@router.post(PAGE + "/{pipeline_id}/rename", response_class=HTMLResponse)
def rename_pipeline(
    request: Request, pipeline_id: uuid.UUID, principal: Admin, session: DbSession, name: Text = ""
) -> Response:
    """Rename a pipeline."""
    values = {"name": name}
    return _edit(
        request,
        session,
        principal,
        pipeline_id,
        lambda p: pipeline_service.update_pipeline(session, p, values),
        done="renamed",
        form_check=(schemas.PipelineUpdateIn, values),
        values=values,
        default_field="name",
    )


@router.post(PAGE + "/{pipeline_id}/default", response_class=HTMLResponse)
def make_default(request: Request, pipeline_id: uuid.UUID, principal: Admin, session: DbSession) -> Response:
    """Make a pipeline the default one (new leads start there; the board opens on it)."""
    pipeline_service.update_pipeline(
        session, pipeline_service.pipeline_or_404(session, pipeline_id), {"is_default": True}
    )
    return see_other(f"{PAGE}?done=default#pipeline-{pipeline_id}")


@router.post(PAGE + "/{pipeline_id}/delete", response_class=HTMLResponse)
def delete_pipeline(
    request: Request, pipeline_id: uuid.UUID, principal: Admin, session: DbSession
) -> Response:
    """Delete an empty pipeline that isn't the default."""
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    try:
        with attempt(session):
            pipeline_service.delete_pipeline(session, pipeline)
        return see_other(f"{PAGE}?done=deleted")
    except DomainError as exc:
        errors, status = domain_errors(exc), exc.status_code
    return _page(request, session, principal, status, card_errors={pipeline.id: errors})


@router.post(PAGE + "/{pipeline_id}/stages", response_class=HTMLResponse)
def add_stage(
    request: Request,
    pipeline_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    name: Text = "",
    kind: Text = "open",
) -> Response:
    """Add a stage: an open one before the won and lost stages, a won or lost one at the end."""
    values = {"name": name, "kind": kind}
    return _edit(
        request,
        session,
        principal,
        pipeline_id,
        lambda p: pipeline_service.add_stage(session, p, name.strip(), kind),
        done="stage",
        prefix="new-",
        form_check=(schemas.StageCreateIn, values),
        values=values,
        default_field="name",
    )


@router.post(PAGE + "/{pipeline_id}/stages/{stage_id}", response_class=HTMLResponse)
def update_stage(
    request: Request,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    name: Text = "",
    kind: Text = "",
) -> Response:
    """Rename a stage and/or change its kind."""
    values = {"name": name, "kind": kind}

    def action(pipeline: Pipeline) -> object:
        stage = pipeline_service.stage_of_or_404(session, pipeline, stage_id)
        return pipeline_service.update_stage(session, pipeline, stage, {"name": name.strip(), "kind": kind})

    return _edit(
        request,
        session,
        principal,
        pipeline_id,
        action,
        done="stage",
        prefix=f"{stage_id}-",
        form_check=(schemas.StageUpdateIn, values),
        values=values,
        default_field="name",
    )


@router.post(PAGE + "/{pipeline_id}/stages/{stage_id}/move", response_class=HTMLResponse)
def move_stage(
    request: Request,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    direction: Text = "",
) -> Response:
    """Move a stage one place up or down."""

    def action(pipeline: Pipeline) -> object:
        stage = pipeline_service.stage_of_or_404(session, pipeline, stage_id)
        position = stage.position + (1 if direction == "down" else -1)
        return pipeline_service.update_stage(session, pipeline, stage, {"position": max(position, 0)})

    return _edit(request, session, principal, pipeline_id, action, done="stage", prefix=f"{stage_id}-")


@router.get(PAGE + "/{pipeline_id}/stages/{stage_id}/delete-form", response_class=HTMLResponse)
def stage_delete_form(
    request: Request,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    move_to: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """A stage's Delete form again once a stage for its leads is chosen: the confirmation names that stage
    and how many leads move, counted now."""
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    stage = pipeline_service.stage_of_or_404(session, pipeline, stage_id)
    context = {
        "p": pipeline,
        "s": stage,
        "n": StageRepository(session).lead_counts().get(stage.id, 0),
        "targets": pipeline_service.move_targets(pipeline.stages, stage),
        "perr": {},
        "pvals": {f"{stage.id}-move_to": move_to},
    }
    return page(request, session, principal, "leads/_stage_delete.html", context)


@router.post(PAGE + "/{pipeline_id}/stages/{stage_id}/delete", response_class=HTMLResponse)
def delete_stage(
    request: Request,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    move_to: Text = "",
) -> Response:
    """Delete a stage, moving its leads to the chosen stage of the same pipeline and kind."""
    values = {"move_to": move_to}

    def action(pipeline: Pipeline) -> object:
        stage = pipeline_service.stage_of_or_404(session, pipeline, stage_id)
        try:
            target = uuid.UUID(move_to) if move_to else None
        except ValueError:
            target = uuid.uuid4()  # unknown: refused like any stage outside the pipeline
        return pipeline_service.delete_stage(
            session, pipeline, stage, move_to=target, actor_id=principal.user_id
        )

    return _edit(
        request,
        session,
        principal,
        pipeline_id,
        action,
        done="stage_deleted",
        prefix=f"{stage_id}-",
        values=values,
        default_field="move_to",
    )
