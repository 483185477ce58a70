"""Import bodies: the upload's description, the start request, and progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from salesos.api.schemas import Output, StrictInput

FieldName = Annotated[str, StringConstraints(max_length=32)]
StageValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ImportStartIn(StrictInput):
    """The mapping to import with: one field name (or "") per CSV column, in column order."""

    mapping: Annotated[list[FieldName], Field(max_length=500)]
    preset: str | None = Field(default=None, max_length=32)
    # Who gets the new leads of rows that name no owner; without it they stay unassigned.
    default_owner_id: uuid.UUID | None = None
    # The pipeline the new leads go to (its stages are the ones matched); without it, the default one.
    pipeline_id: uuid.UUID | None = None
    stage_values: Annotated[dict[StageValue, uuid.UUID], Field(max_length=100)] = Field(
        default_factory=dict,
        description=(
            "The stage each of the file's own stage names goes to (value as in the file → a stage id of "
            "the import's pipeline); other values are matched by stage name. See `stage_values_found`."
        ),
    )


class ImportOut(Output):
    id: uuid.UUID
    filename: str
    encoding: str
    delimiter: str
    header: list[str]
    mapping: list[str]
    preset: str | None
    default_owner_id: uuid.UUID | None
    pipeline_id: uuid.UUID | None
    stage_values: dict[str, uuid.UUID]
    status: str
    total_rows: int
    rows_done: int
    created: int
    merged: int
    rejected: int
    skipped: int  # empty records: neither a lead nor a rejection
    percent: int
    rows_per_second: float | None
    eta_seconds: int | None
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    created_at: datetime


class StageValueFound(Output):
    """A distinct value of the stage column, how many rows hold it, and the stage it seems to name."""

    value: str
    rows: int
    suggested_stage_id: uuid.UUID | None


class ImportUploadOut(ImportOut):
    """The new import with its mapping proposal and a preview of the first 20 mapped rows.

    ``preview_reasons[i]`` says why preview row *i* would be rejected (null: it would be imported);
    ``mapping_problem`` says what the proposed mapping lacks (the rows are checked once it has none).
    ``stage_values_found`` lists the distinct values of the column mapped to the stage, each with the
    stage of the default pipeline it seems to name.
    """

    fields: dict[str, str]
    presets: list[str]
    preview: list[dict[str, str]]
    preview_reasons: list[str | None]
    mapping_problem: str | None
    stage_values_found: list[StageValueFound]
