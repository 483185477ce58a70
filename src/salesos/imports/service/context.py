"""What an import checks a record against: the org's phone region, members and pipeline stages.

A file names owners and stages as people wrote them ("Dana Reyes", "dana@acme.example", "qualified");
they are matched without regard to case against the members who can own leads and the stages of the
import's pipeline, or the stage the user sent that value to (``stage_values``). A name that matches
nothing, or more than one member, rejects the record with the reason, so the preview and the rejects
file say what to fix instead of leads landing in the wrong hands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from salesos.imports.service.mapping import RowError
from salesos.leads.follow_ups import FOLLOW_UP_HOUR
from salesos.leads.models import Pipeline, PipelineStage, StageKind
from salesos.leads.repository import PipelineRepository
from salesos.leads.service import leads as lead_service
from salesos.leads.service.pipelines import ensure_default_pipeline
from salesos.leads.zones import zone_of
from salesos.orgs.repository import MembershipRepository, OrganizationRepository

# A name two members share: the record must name one of them by email.
AMBIGUOUS = uuid.UUID(int=0)
# A deal status as tools write it (casefolded) → the kind of stage it puts the lead at.
OUTCOMES = {
    "won": StageKind.WON,
    "closed won": StageKind.WON,
    "lost": StageKind.LOST,
    "closed lost": StageKind.LOST,
}
OPEN_STATUSES = frozenset({"open", "active", ""})


@dataclass(frozen=True)
class ImportContext:
    """The org as one batch (or the preview) of an import sees it."""

    region: str
    # The zone a follow-up written without an offset is read in: the org's.
    timezone: str
    # Casefolded email and name of each member who can own leads (viewers can't) → user id.
    owners_by_email: dict[str, uuid.UUID]
    owners_by_name: dict[str, uuid.UUID]
    stages: dict[str, PipelineStage]
    stage_names: tuple[str, ...]
    # The file's own stage names the user sent to a stage (matched like ``stages``); they win over names.
    stage_values: dict[str, PipelineStage]
    # Where the new leads go: the import's pipeline, whose stages the two maps above hold.
    pipeline: Pipeline
    # Who gets the new leads of records that name no owner; None when that member has left.
    default_owner_id: uuid.UUID | None

    def owner(self, text: str) -> uuid.UUID:
        """The member *text* names (an email or a name)."""
        key = text.strip().casefold()
        found = self.owners_by_email.get(key) if "@" in key else self.owners_by_name.get(key)
        if found is None:
            raise RowError(f"owner: no member who can own leads is called {text.strip()!r}.")
        if found == AMBIGUOUS:
            raise RowError(f"owner: more than one member is called {text.strip()!r}; give their email.")
        return found

    def follow_up(self, text: str) -> datetime:
        """The moment *text* names: ISO 8601 as our export writes it, or a date (the start of that working
        day, as the lead page's quick follow-ups set it), in the org's zone unless it carries an offset.

        Only ISO dates: "03/04/2026" is March or April depending on who wrote it, and a follow-up on the
        wrong day is worse than a row sent back with the reason.
        """
        text = text.strip()
        try:
            moment = datetime.combine(date.fromisoformat(text), FOLLOW_UP_HOUR)
        except ValueError:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise RowError(f"next_follow_up_at: write a date as 2026-12-31 (not {text!r}).") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone_of(self.timezone))
        return moment.astimezone(UTC)

    def stage(self, text: str, lost_reason: str | None) -> PipelineStage:
        """The stage of the import's pipeline *text* names; a lost one needs the reason the lead was lost."""
        wanted = text.strip().casefold()
        stage = self.stage_values.get(wanted) or self.stages.get(wanted)
        if stage is None:
            names = ", ".join(self.stage_names)
            raise RowError(f"stage: the pipeline has no stage {text.strip()!r} (its stages: {names}).")
        if stage.kind == StageKind.LOST.value and not lost_reason:
            raise RowError(
                f"stage: a lead imported as {stage.name} needs a lost reason (in a Lost reason column)."
            )
        return stage

    def outcome(self, status: str, lost_reason: str | None) -> PipelineStage | None:
        """The stage a deal status puts the lead at: the pipeline's won or lost stage; None while open.

        Some tools keep whether a deal was won or lost apart from its stage (Pipedrive's "Deal - Status"
        beside a "Deal - Stage" that stays where the deal was when it closed).
        """
        wanted = status.strip().casefold()
        kind = OUTCOMES.get(wanted)
        if wanted in OPEN_STATUSES:
            return None
        if kind is None:
            raise RowError(f"deal_status: {status.strip()!r} is not open, won or lost.")
        stage = next((s for s in self.pipeline.stages if s.kind == kind.value), None)
        if stage is None:
            raise RowError(f"deal_status: the {self.pipeline.name} pipeline has no {kind.value} stage.")
        if kind is StageKind.LOST and not lost_reason:
            raise RowError(
                "deal_status: a lead imported as lost needs a lost reason (in a Lost reason column)."
            )
        return stage


def load_context(
    session: Session,
    default_owner_id: uuid.UUID | None,
    stage_values: dict[str, str] | None = None,
    pipeline_id: uuid.UUID | None = None,
) -> ImportContext:
    """The org's region, owners and stages, read once per batch (members may change during an import).

    *stage_values*: the import's file value → stage id map; a stage since deleted drops its values.
    *pipeline_id*: the import's pipeline (None, or one since deleted: the default pipeline).
    """
    by_email: dict[str, uuid.UUID] = {}
    by_name: dict[str, uuid.UUID] = {}
    for membership in MembershipRepository(session).lead_owners():
        user = membership.user
        by_email[user.email.casefold()] = user.id
        name = user.name.strip().casefold()
        by_name[name] = AMBIGUOUS if name in by_name else user.id
    pipeline = import_pipeline(session, pipeline_id)
    default = default_owner_id if default_owner_id in by_email.values() else None
    by_id = {str(stage.id): stage for stage in pipeline.stages}
    org = OrganizationRepository(session).current()
    return ImportContext(
        region=lead_service.org_region(session),
        timezone=org.timezone if org is not None else "UTC",
        owners_by_email=by_email,
        owners_by_name=by_name,
        stages={stage.name.casefold(): stage for stage in pipeline.stages},
        stage_names=tuple(stage.name for stage in pipeline.stages),
        stage_values={
            value: by_id[stage_id] for value, stage_id in (stage_values or {}).items() if stage_id in by_id
        },
        default_owner_id=default,
        pipeline=pipeline,
    )


def import_pipeline(session: Session, pipeline_id: uuid.UUID | None) -> Pipeline:
    """The pipeline *pipeline_id* names in this org, else the default one."""
    found = PipelineRepository(session).get(pipeline_id) if pipeline_id is not None else None
    return found or ensure_default_pipeline(session)
