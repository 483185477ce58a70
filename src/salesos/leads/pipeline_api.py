"""Pipelines JSON API: admins create, rename and delete pipelines and edit their stages; everyone reads."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from salesos.auth.deps import Admin, CurrentPrincipal
from salesos.db.deps import DbSession
from salesos.leads import schemas
from salesos.leads.service import pipelines as pipeline_service

router = APIRouter(tags=["pipelines"])

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The change would break a pipeline rule (see the problem's detail)."}
}


def _out(pipeline: object) -> schemas.PipelineOut:
    return schemas.PipelineOut.model_validate(pipeline)


@router.post(
    "/pipelines", status_code=status.HTTP_201_CREATED, response_model=schemas.PipelineOut, responses=CONFLICT
)
def create_pipeline(
    body: schemas.PipelineCreateIn, principal: Admin, session: DbSession
) -> schemas.PipelineOut:
    """Create a pipeline with the given stages, or New → Contacted → Qualified → Proposal → Won / Lost."""
    stages = [(s.name, s.kind) for s in body.stages] if body.stages is not None else None
    pipeline = pipeline_service.create_pipeline(session, body.name, stages, is_default=body.is_default)
    return _out(pipeline)


@router.get("/pipelines/{pipeline_id}", response_model=schemas.PipelineOut)
def get_pipeline(
    pipeline_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> schemas.PipelineOut:
    """One pipeline with its stages in order."""
    return _out(pipeline_service.pipeline_or_404(session, pipeline_id))


@router.patch("/pipelines/{pipeline_id}", response_model=schemas.PipelineOut, responses=CONFLICT)
def update_pipeline(
    pipeline_id: uuid.UUID, body: schemas.PipelineUpdateIn, principal: Admin, session: DbSession
) -> schemas.PipelineOut:
    """Rename a pipeline or make it the organisation's default (the previous default stops being one)."""
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    changes = body.model_dump(exclude_unset=True)
    return _out(pipeline_service.update_pipeline(session, pipeline, changes))


@router.delete("/pipelines/{pipeline_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CONFLICT)
def delete_pipeline(pipeline_id: uuid.UUID, principal: Admin, session: DbSession) -> None:
    """Delete a pipeline and its stages; refused for the default pipeline and while it has leads."""
    pipeline_service.delete_pipeline(session, pipeline_service.pipeline_or_404(session, pipeline_id))


@router.post(
    "/pipelines/{pipeline_id}/stages",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.StageOut,
    responses=CONFLICT,
)
def add_stage(
    pipeline_id: uuid.UUID, body: schemas.StageCreateIn, principal: Admin, session: DbSession
) -> schemas.StageOut:
    """Add a stage at a position; the stages after it shift one place.

    Without a position an open stage goes before the first won or lost stage, a won or lost one last.
    """
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    stage = pipeline_service.add_stage(session, pipeline, body.name, body.kind, body.position)
    return schemas.StageOut.model_validate(stage)


@router.patch(
    "/pipelines/{pipeline_id}/stages/{stage_id}", response_model=schemas.StageOut, responses=CONFLICT
)
def update_stage(
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    body: schemas.StageUpdateIn,
    principal: Admin,
    session: DbSession,
) -> schemas.StageOut:
    """Rename a stage, change its kind (open, won, lost) or move it to a position."""
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    stage = pipeline_service.stage_of_or_404(session, pipeline, stage_id)
    changes = body.model_dump(exclude_unset=True)
    return schemas.StageOut.model_validate(pipeline_service.update_stage(session, pipeline, stage, changes))


@router.delete(
    "/pipelines/{pipeline_id}/stages/{stage_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CONFLICT
)
def delete_stage(
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    principal: Admin,
    session: DbSession,
    move_to: Annotated[
        uuid.UUID | None,
        Query(description="Stage of the same pipeline and kind (open, won, lost) that receives its leads"),
    ] = None,
) -> None:
    """Delete a stage; its leads move to ``move_to`` first, recorded in their history and timeline.

    Refused for the pipeline's last open, won or lost stage. Saved views filtering on the stage follow its
    leads to ``move_to``; each owner is notified once, not once per lead.
    """
    pipeline = pipeline_service.pipeline_or_404(session, pipeline_id)
    stage = pipeline_service.stage_of_or_404(session, pipeline, stage_id)
    pipeline_service.delete_stage(session, pipeline, stage, move_to=move_to, actor_id=principal.user_id)
