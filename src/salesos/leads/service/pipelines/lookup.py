"""Pipelines: the default one every org gets, and finding pipelines and stages."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salesos.errors import Conflict, NotFound, ValidationFailed
from salesos.leads.models import Pipeline, PipelineStage, StageKind
from salesos.leads.repository import PipelineRepository, StageRepository

DEFAULT_PIPELINE = "Sales"
DEFAULT_STAGES = (
    ("New", StageKind.OPEN),
    ("Contacted", StageKind.OPEN),
    ("Qualified", StageKind.OPEN),
    ("Proposal", StageKind.OPEN),
    ("Won", StageKind.WON),
    ("Lost", StageKind.LOST),
)
MAX_PIPELINES = 50
MAX_STAGES = 30


class PipelineConflict(Conflict):
    """A 409 that, like ValidationFailed, can point at the field it is about."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field

    def problem(self) -> dict[str, Any]:
        body = super().problem()
        if self.field:
            body["errors"] = [{"field": self.field, "message": self.detail}]
        return body


def ensure_default_pipeline(session: Session) -> Pipeline:
    """The org's default pipeline; made with the org, and here for an org that has none yet."""
    pipelines = PipelineRepository(session)
    existing = pipelines.default()
    if existing is not None:
        return existing
    try:
        # A savepoint: a concurrent first request may create it too; the loser reads the winner's.
        with session.begin_nested():
            pipeline = pipelines.add(Pipeline(name=DEFAULT_PIPELINE, is_default=True))
            stages = StageRepository(session)
            for position, (name, kind) in enumerate(DEFAULT_STAGES):
                stages.add(
                    PipelineStage(pipeline_id=pipeline.id, name=name, position=position, kind=kind.value)
                )
    except IntegrityError:
        found = pipelines.default()
        if found is None:
            raise
        return found
    session.refresh(pipeline, ["stages"])
    return pipeline


def list_pipelines(session: Session) -> list[Pipeline]:
    """The org's pipelines with their stages (the default one exists after this)."""
    ensure_default_pipeline(session)
    return PipelineRepository(session).listing()


def first_open_stage(pipeline: Pipeline) -> PipelineStage:
    """Where new leads start."""
    for stage in pipeline.stages:
        if stage.kind == StageKind.OPEN.value:
            return stage
    raise ValidationFailed("The pipeline has no open stage.", field="stage_id")


def stage_or_422(session: Session, stage_id: uuid.UUID) -> PipelineStage:
    """A stage of this org; another org's stage is as unknown as a missing one."""
    stage = StageRepository(session).get(stage_id)
    if stage is None:
        raise ValidationFailed("Unknown stage.", field="stage_id")
    return stage


def start_stage(session: Session, pipeline_id: str) -> PipelineStage:
    """Where a new lead on the pipeline *pipeline_id* (as typed in a form) starts: its first open stage."""
    try:
        pipeline = PipelineRepository(session).get(uuid.UUID(pipeline_id))
    except ValueError:
        pipeline = None
    if pipeline is None:
        raise ValidationFailed("Unknown pipeline.", field="pipeline")
    return first_open_stage(pipeline)


def pipeline_or_404(session: Session, pipeline_id: uuid.UUID) -> Pipeline:
    """A pipeline of this org; another org's id answers exactly like a missing one."""
    pipeline = PipelineRepository(session).get(pipeline_id)
    if pipeline is None:
        raise NotFound("Pipeline not found.")
    return pipeline


def stage_of_or_404(session: Session, pipeline: Pipeline, stage_id: uuid.UUID) -> PipelineStage:
    """A stage of *pipeline*; a stage of another pipeline (or org) is not found."""
    stage = StageRepository(session).get(stage_id)
    if stage is None or stage.pipeline_id != pipeline.id:
        raise NotFound("Stage not found.")
    return stage
