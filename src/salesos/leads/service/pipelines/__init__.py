"""Pipelines and their stages: the default one every org gets, lookups, and the admin's edits."""

from salesos.leads.service.pipelines.editing import create_pipeline, delete_pipeline, update_pipeline
from salesos.leads.service.pipelines.lookup import (
    DEFAULT_PIPELINE,
    DEFAULT_STAGES,
    MAX_PIPELINES,
    MAX_STAGES,
    PipelineConflict,
    ensure_default_pipeline,
    first_open_stage,
    list_pipelines,
    pipeline_or_404,
    stage_of_or_404,
    stage_or_422,
    start_stage,
)
from salesos.leads.service.pipelines.stages import add_stage, delete_stage, move_targets, update_stage

__all__ = [
    "DEFAULT_PIPELINE",
    "DEFAULT_STAGES",
    "MAX_PIPELINES",
    "MAX_STAGES",
    "PipelineConflict",
    "add_stage",
    "create_pipeline",
    "delete_pipeline",
    "delete_stage",
    "ensure_default_pipeline",
    "first_open_stage",
    "list_pipelines",
    "move_targets",
    "pipeline_or_404",
    "stage_of_or_404",
    "stage_or_422",
    "start_stage",
    "update_pipeline",
    "update_stage",
]
