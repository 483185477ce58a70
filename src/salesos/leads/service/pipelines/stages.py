"""Stage edits by admins: add, rename, change kind, reorder, delete (moving the stage's leads)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed
from salesos.leads.models import Pipeline, PipelineStage, StageKind
from salesos.leads.repository import StageRepository
from salesos.leads.service.pipelines.editing import check_stage_name, refresh_stages, renumber, unique_name
from salesos.leads.service.pipelines.lookup import MAX_STAGES, PipelineConflict


def _kind(value: str | None) -> str:
    kinds = {k.value for k in StageKind}
    if value not in kinds:
        raise ValidationFailed("Choose open, won or lost.", field="kind")
    return value


def add_stage(
    session: Session, pipeline: Pipeline, name: str, kind: str = "open", position: int | None = None
) -> PipelineStage:
    """Insert a stage at *position* (default last); the stages after it shift one place."""
    repository = StageRepository(session)
    stages = repository.for_pipeline(pipeline.id)
    if len(stages) >= MAX_STAGES:
        raise PipelineConflict(f"A pipeline can have at most {MAX_STAGES} stages.", field="name")
    check_stage_name(stages, name)
    at = len(stages) if position is None else min(position, len(stages))
    with unique_name("This pipeline already has a stage with this name.", "name"), session.begin_nested():
        stage = repository.add(
            PipelineStage(pipeline_id=pipeline.id, name=name, position=len(stages), kind=_kind(kind))
        )
    stages.insert(at, stage)
    renumber(stages)
    refresh_stages(session, pipeline)
    return stage


def _open_count(stages: Sequence[PipelineStage]) -> int:
    return sum(1 for s in stages if s.kind == StageKind.OPEN.value)


def update_stage(
    session: Session, pipeline: Pipeline, stage: PipelineStage, changes: dict[str, Any]
) -> PipelineStage:
    """Rename a stage, change its kind, or move it to another position."""
    for key in ("name", "kind", "position"):
        if key in changes and changes[key] is None:
            raise ValidationFailed("This field can't be empty.", field=key)
    stages = StageRepository(session).for_pipeline(pipeline.id)
    if "kind" in changes:
        kind = _kind(changes["kind"])
        is_last_open = stage.kind == StageKind.OPEN.value and _open_count(stages) == 1
        if kind != StageKind.OPEN.value and is_last_open:
            raise PipelineConflict("A pipeline needs at least one open stage.", field="kind")
        stage.kind = kind
    if "name" in changes and changes["name"] != stage.name:
        check_stage_name(stages, changes["name"], stage)
        with unique_name("This pipeline already has a stage with this name.", "name"), session.begin_nested():
            stage.name = changes["name"]
            session.flush()
    if "position" in changes:
        stages.remove(stage)
        stages.insert(min(changes["position"], len(stages)), stage)
        renumber(stages)
    refresh_stages(session, pipeline)
    return stage


def delete_stage(
    session: Session,
    pipeline: Pipeline,
    stage: PipelineStage,
    *,
    move_to: uuid.UUID | None,
    actor_id: uuid.UUID | None,
) -> int:
    """Delete a stage, first moving its leads to *move_to* (recorded like any move); how many moved."""
    from salesos.leads.service.leads import move_stage  # leads imports this module

    repository = StageRepository(session)
    stages = repository.for_pipeline(pipeline.id)
    if stage.kind == StageKind.OPEN.value and _open_count(stages) == 1:
        raise PipelineConflict("A pipeline needs at least one open stage.", field="stage_id")
    target: PipelineStage | None = None
    if move_to is not None:
        target = next((s for s in stages if s.id == move_to), None)
        if target is None:
            raise ValidationFailed("Choose another stage of this pipeline.", field="move_to")
        if target.id == stage.id:
            raise ValidationFailed("Choose a stage other than the one being deleted.", field="move_to")
    leads = repository.leads_in(stage.id)
    if target is None and leads:
        what = f"{len(leads)} lead{'s' if len(leads) != 1 else ''}"
        raise PipelineConflict(f"“{stage.name}” has {what}: choose a stage to move them to.", field="move_to")
    why = f"Stage {stage.name} deleted"
    lost_reason = why if target is not None and target.kind == StageKind.LOST.value else None
    for lead in leads:
        assert target is not None
        move_stage(session, lead, target.id, actor_id=actor_id, reason=why, lost_reason=lost_reason)
    # Earlier history entries into the stage keep their rows; the database clears their stage reference.
    stages.remove(stage)
    repository.delete(stage)
    renumber(stages)
    refresh_stages(session, pipeline)
    return len(leads)
