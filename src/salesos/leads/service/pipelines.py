"""Pipelines: the default one every org gets, and stage lookups."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed
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


def ensure_default_pipeline(session: Session) -> Pipeline:
    """The org's default pipeline, created on first need (so creating an org needs no leads code)."""
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
