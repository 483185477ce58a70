"""Stage edits by admins: add, rename, change kind, reorder, delete (moving the stage's leads)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed
from salesos.leads.models import Lead, Pipeline, PipelineStage, StageKind
from salesos.leads.repository import SavedViewRepository, StageRepository
from salesos.leads.service.pipelines.editing import check_stage_name, refresh_stages, renumber, unique_name
from salesos.leads.service.pipelines.lookup import MAX_STAGES, PipelineConflict
from salesos.notifications import triggers as notify_on

OPEN, WON, LOST = StageKind.OPEN.value, StageKind.WON.value, StageKind.LOST.value
# Why the last stage of a kind stays: without a won stage nothing counts as won, without a lost one lost
# leads (and the reasons they were lost) have nowhere to be.
LAST_OF_KIND = {
    OPEN: "A pipeline needs at least one open stage.",
    WON: "“{name}” is this pipeline's only won stage, where its won deals are counted: "
    "add another won stage first.",
    LOST: "“{name}” is this pipeline's only lost stage, where lost leads keep their reasons: "
    "add another lost stage first.",
}
# A deleted stage's leads keep their standing: moving won deals into Lost would rewrite the results.
SAME_KIND = {
    OPEN: "Leads still being worked can only move to another open stage.",
    WON: "Won deals can only move to another won stage.",
    LOST: "Lost leads can only move to another lost stage.",
}


def _kind(value: str | None) -> str:
    kinds = {k.value for k in StageKind}
    if value not in kinds:
        raise ValidationFailed("Choose open, won or lost.", field="kind")
    return value


def _first_closed(stages: Sequence[PipelineStage]) -> int:
    """The place of the first won or lost stage (the end when there is none)."""
    return next((i for i, s in enumerate(stages) if s.kind != OPEN), len(stages))


def add_stage(
    session: Session, pipeline: Pipeline, name: str, kind: str = "open", position: int | None = None
) -> PipelineStage:
    """Insert a stage at *position*; the stages after it shift one place.

    Without a position an open stage goes before the first won or lost stage and a won or lost one last:
    the stages that end a lead's journey stay at the end of the board.
    """
    repository = StageRepository(session)
    stages = repository.for_pipeline(pipeline.id)
    if len(stages) >= MAX_STAGES:
        raise PipelineConflict(f"A pipeline can have at most {MAX_STAGES} stages.", field="name")
    check_stage_name(stages, name)
    kind = _kind(kind)
    if position is not None:
        at = min(position, len(stages))
    else:
        at = _first_closed(stages) if kind == OPEN else len(stages)
    with unique_name("This pipeline already has a stage with this name.", "name"), session.begin_nested():
        stage = repository.add(
            PipelineStage(pipeline_id=pipeline.id, name=name, position=len(stages), kind=kind)
        )
    stages.insert(at, stage)
    renumber(stages)
    refresh_stages(session, pipeline)
    return stage


def _refuse_last_of_kind(stages: Sequence[PipelineStage], stage: PipelineStage, field: str) -> None:
    """Refuse taking away the pipeline's only stage of *stage*'s kind (deleting it or changing its kind)."""
    if any(other is not stage and other.kind == stage.kind for other in stages):
        return
    raise PipelineConflict(LAST_OF_KIND[stage.kind].format(name=stage.name), field=field)


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
        if kind != stage.kind:
            _refuse_last_of_kind(stages, stage, "kind")
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


def move_targets(stages: Sequence[PipelineStage], stage: PipelineStage) -> list[PipelineStage]:
    """The stages that may take *stage*'s leads when it is deleted: the others of its kind."""
    return [other for other in stages if other.id != stage.id and other.kind == stage.kind]


def _target(
    stages: Sequence[PipelineStage], stage: PipelineStage, move_to: uuid.UUID | None
) -> PipelineStage | None:
    """The stage *move_to* names, checked: another stage of this pipeline, of the same kind."""
    if move_to is None:
        return None
    target = next((s for s in stages if s.id == move_to), None)
    if target is None:
        raise ValidationFailed("Choose another stage of this pipeline.", field="move_to")
    if target.id == stage.id:
        raise ValidationFailed("Choose a stage other than the one being deleted.", field="move_to")
    if target.kind != stage.kind:
        raise ValidationFailed(SAME_KIND[stage.kind], field="move_to")
    return target


def _move_leads(
    session: Session,
    leads: list[Lead],
    stage: PipelineStage,
    target: PipelineStage,
    actor_id: uuid.UUID | None,
) -> None:
    """Move a deleted stage's leads to *target*, each recorded in its history and timeline."""
    from salesos.leads.service.leads import move_stage  # leads imports this module

    why = f"Stage {stage.name} deleted"
    for lead in leads:
        kept = lead.lost_reason
        lost_reason = why if target.kind == LOST else None
        move_stage(
            session, lead, target.id, actor_id=actor_id, reason=why, lost_reason=lost_reason, notify=False
        )
        if kept and target.kind == LOST:
            lead.lost_reason = kept  # still lost for the reason it was lost; the deletion is the move's why
    # Reshaping the pipeline is not news about each lead: every owner hears once, with how many moved.
    notify_on.stages_changed(session, leads, target, actor_id)


def _repoint_views(session: Session, stage: PipelineStage, target: PipelineStage) -> None:
    """Saved views filtering on a deleted stage follow its leads (else they would match nothing)."""
    for view in SavedViewRepository(session).filtering_on_stage(stage.id):
        view.filters = {**view.filters, "stage_id": str(target.id)}  # a new dict: JSON is saved on assignment


def delete_stage(
    session: Session,
    pipeline: Pipeline,
    stage: PipelineStage,
    *,
    move_to: uuid.UUID | None,
    actor_id: uuid.UUID | None,
) -> int:
    """Delete a stage, first moving its leads to *move_to*, another stage of the same kind (saved views
    filtering on it follow them); how many leads moved.

    The pipeline's last open, won or lost stage stays.
    """
    repository = StageRepository(session)
    stages = repository.for_pipeline(pipeline.id)
    _refuse_last_of_kind(stages, stage, "stage_id")
    target = _target(stages, stage, move_to)
    leads = repository.leads_in(stage.id)
    if target is None and leads:
        what = f"{len(leads)} lead{'s' if len(leads) != 1 else ''}"
        raise PipelineConflict(f"“{stage.name}” has {what}: choose a stage to move them to.", field="move_to")
    if target is not None:
        _move_leads(session, leads, stage, target, actor_id)
        _repoint_views(session, stage, target)
    # Earlier history entries into the stage keep their rows; the database clears their stage reference.
    stages.remove(stage)
    repository.delete(stage)
    renumber(stages)
    refresh_stages(session, pipeline)
    return len(leads)
