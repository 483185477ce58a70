"""The stage column's values: which ones the file holds, and the stage each one goes to.

Other tools name their stages their own way ("Closed Won", "Appointment Scheduled", "Contact Made"). The
mapping screen lists the distinct values of the column mapped to the stage, with how many rows hold each,
and the user sends each one to a stage of the import's pipeline. A value that is a stage's name is
preselected, and so is one that names exactly one stage as a whole word ("Closed Won" → Won); a value
left without a stage is matched by name when the import runs, which sets its rows aside if none matches.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from salesos.errors import ValidationFailed
from salesos.imports.models import ImportJob
from salesos.imports.service import sniff
from salesos.leads.models import PipelineStage

# More distinct values than this and the column is not a list of stages: nothing is listed.
MAX_VALUES = 100
MAX_VALUE_LENGTH = 200
# A value saying a stage was not reached ("Not qualified") is not suggested for that stage.
NEGATIONS = frozenset({"not", "no", "non", "never"})


def key(text: str) -> str:
    """A value as it is matched: on one line (as the import reads it, see ``mapping.mapped``), casefolded."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class FoundValue:
    """One distinct value of the stage column: as first written, its row count, the stage proposed."""

    value: str
    rows: int
    suggested_stage_id: uuid.UUID | None


def found_values(job: ImportJob, mapping: Sequence[str], stages: Sequence[PipelineStage]) -> list[FoundValue]:
    """The distinct values of the column *mapping* sends to the stage, most rows first.

    Empty when no column is the stage or when it holds more than MAX_VALUES distinct values.
    """
    if "stage" not in mapping:
        return []
    path = Path(job.stored_path)
    stat = path.stat()
    column = list(mapping).index("stage")
    counted = _distinct(str(path), stat.st_size, stat.st_mtime_ns, job.encoding, job.delimiter, column)
    return [FoundValue(value, rows, suggest(value, stages)) for value, rows in counted]


@lru_cache(maxsize=32)
def _distinct(
    path: str, _size: int, _mtime_ns: int, encoding: str, delimiter: str, column: int
) -> tuple[tuple[str, int], ...]:
    # One pass over the file per (file, column): the screen asks again at every change of the mapping.
    # Size and mtime are in the key so that a file written again is read again.
    spelling: dict[str, str] = {}  # casefolded value → as first written
    rows: Counter[str] = Counter()
    for cells in sniff.records(Path(path), encoding, delimiter):
        text = " ".join(cells[column].split()) if column < len(cells) else ""
        if not text:
            continue
        value_key = text.casefold()
        if value_key not in spelling:
            if len(spelling) == MAX_VALUES:
                return ()
            spelling[value_key] = text
        rows[value_key] += 1
    ranked = sorted(spelling, key=lambda value_key: (-rows[value_key], value_key))
    return tuple((spelling[value_key], rows[value_key]) for value_key in ranked)


def with_choices(
    found: Sequence[FoundValue], picked: Mapping[str, str] | None
) -> list[tuple[FoundValue, str]]:
    """Each value with the stage id it goes to ("": matched by name): the one *picked* on the mapping
    screen for it, else the proposal. *picked* None: the screen's picks are for another pipeline."""
    chosen = {key(value): choice for value, choice in (picked or {}).items()}
    return [(value, chosen.get(key(value.value), str(value.suggested_stage_id or ""))) for value in found]


def suggest(value: str, stages: Sequence[PipelineStage]) -> uuid.UUID | None:
    """The stage *value* names: the one of that name, else the only one named as a whole word in it."""
    wanted = key(value)
    for stage in stages:
        if stage.name.casefold() == wanted:
            return stage.id
    words = set(re.findall(r"[^\W_]+", wanted))
    if words & NEGATIONS:
        return None
    named = [stage for stage in stages if stage.name.casefold() in words]
    return named[0].id if len(named) == 1 else None


def checked(choices: Mapping[str, uuid.UUID | str], stages: Sequence[PipelineStage]) -> dict[str, str]:
    """*choices* (a file's value → a stage id) as stored, refused if a stage is not one of *stages*."""
    by_id = {stage.id: stage for stage in stages}
    if len(choices) > MAX_VALUES:
        raise ValidationFailed(f"At most {MAX_VALUES} stage values can be mapped.", field="stage_values")
    stored: dict[str, str] = {}
    for value, stage_id in choices.items():
        if not value.strip() or len(value) > MAX_VALUE_LENGTH:
            raise ValidationFailed("A stage value must be 1 to 200 characters.", field="stage_values")
        try:
            stage = by_id.get(stage_id if isinstance(stage_id, uuid.UUID) else uuid.UUID(str(stage_id)))
        except ValueError:
            stage = None
        if stage is None:
            raise ValidationFailed(
                f"{value.strip()!r} is sent to a stage that is not in the pipeline.", field="stage_values"
            )
        stored[key(value)] = str(stage.id)
    return stored
