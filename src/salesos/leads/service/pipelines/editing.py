"""Pipeline edits by admins: create, rename, make default, delete; the rules stage edits share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed
from salesos.leads.models import Pipeline, PipelineStage, StageKind
from salesos.leads.repository import PipelineRepository, StageRepository
from salesos.leads.service.pipelines.lookup import (
    DEFAULT_STAGES,
    MAX_PIPELINES,
    PipelineConflict,
    ensure_default_pipeline,
)


@contextmanager
def unique_name(detail: str, field: str) -> Iterator[None]:
    """Turn a unique-name race lost to a concurrent request into the same 409 the checks give."""
    try:
        yield
    except IntegrityError as exc:
        raise PipelineConflict(detail, field=field) from exc


def _check_pipeline_name(session: Session, name: str, pipeline: Pipeline | None = None) -> None:
    found = PipelineRepository(session).by_name(name)
    if found is not None and found is not pipeline:
        raise PipelineConflict(f"There is already a pipeline called “{found.name}”.", field="name")


def check_stage_name(stages: Sequence[PipelineStage], name: str, stage: PipelineStage | None = None) -> None:
    """Refuse a stage name already used in the pipeline (ignoring case), other than by *stage* itself."""
    for other in stages:
        if other is not stage and other.name.lower() == name.lower():
            raise PipelineConflict(f"This pipeline already has a stage called “{other.name}”.", field="name")


def renumber(stages: Sequence[PipelineStage]) -> None:
    """Positions 0…n-1 in list order."""
    for position, stage in enumerate(stages):
        if stage.position != position:
            stage.position = position


def refresh_stages(session: Session, pipeline: Pipeline) -> Pipeline:
    """Flush, and have the pipeline reload its stages in order when next read."""
    session.flush()
    session.expire(pipeline, ["stages"])  # reloaded in order on next access
    return pipeline


def create_pipeline(
    session: Session,
    name: str,
    stages: Sequence[tuple[str, str]] | None = None,
    *,
    is_default: bool = False,
) -> Pipeline:
    """A new pipeline with *stages* ((name, kind) in order) or the default stage set."""
    ensure_default_pipeline(session)
    pipelines = PipelineRepository(session)
    if pipelines.count() >= MAX_PIPELINES:
        raise PipelineConflict(f"An organisation can have at most {MAX_PIPELINES} pipelines.", field="name")
    _check_pipeline_name(session, name)
    spec = list(stages) if stages is not None else [(n, k.value) for n, k in DEFAULT_STAGES]
    if len({n.lower() for n, _ in spec}) != len(spec):
        raise ValidationFailed("Stage names must differ within a pipeline.", field="stages")
    if not any(kind == StageKind.OPEN.value for _, kind in spec):
        raise ValidationFailed("A pipeline needs at least one open stage.", field="stages")
    with unique_name("There is already a pipeline with this name.", "name"), session.begin_nested():
        pipeline = pipelines.add(Pipeline(name=name, is_default=False))
        repository = StageRepository(session)
        for position, (stage_name, kind) in enumerate(spec):
            repository.add(
                PipelineStage(pipeline_id=pipeline.id, name=stage_name, position=position, kind=kind)
            )
    if is_default:
        pipelines.make_default(pipeline.id)
    return refresh_stages(session, pipeline)


def update_pipeline(session: Session, pipeline: Pipeline, changes: dict[str, Any]) -> Pipeline:
    """Rename *pipeline* and/or make it the default one (exactly one pipeline is)."""
    if "name" in changes:
        name = changes["name"]
        if name is None:
            raise ValidationFailed("A pipeline needs a name.", field="name")
        if name != pipeline.name:
            _check_pipeline_name(session, name, pipeline)
            with unique_name("There is already a pipeline with this name.", "name"), session.begin_nested():
                pipeline.name = name
                session.flush()
    if "is_default" in changes:
        if not changes["is_default"]:
            # "No default" would leave new leads nowhere to go: the default moves, it is never removed.
            raise ValidationFailed("Make another pipeline the default instead.", field="is_default")
        if not pipeline.is_default:
            PipelineRepository(session).make_default(pipeline.id)
    return refresh_stages(session, pipeline)


def delete_pipeline(session: Session, pipeline: Pipeline) -> None:
    """Delete an empty, non-default pipeline with its stages."""
    if pipeline.is_default:
        raise PipelineConflict(
            "The default pipeline can't be deleted: make another pipeline the default first."
        )
    leads = PipelineRepository(session).lead_count(pipeline.id)
    if leads:
        raise PipelineConflict(
            f"“{pipeline.name}” still has {leads} lead{'s' if leads != 1 else ''}: "
            "move them to another pipeline or delete them first."
        )
    stages = StageRepository(session)
    found = stages.for_pipeline(pipeline.id)
    for stage in found:
        session.delete(stage)
    session.flush()
    session.expire(pipeline, ["stages"])  # gone: the ORM must not try to detach them from the pipeline
    PipelineRepository(session).delete(pipeline)
