"""One CSV record to a checked, normalised lead, in Python only: no query is needed to reject a row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import ValidationError

from salesos.errors import ValidationFailed
from salesos.imports.service import mapping as mapping_rules
from salesos.imports.service.context import ImportContext
from salesos.leads import normalize
from salesos.leads.models import PipelineStage, StageKind
from salesos.leads.schemas import LeadCreateIn
from salesos.leads.service import dedup
from salesos.leads.service import leads as lead_service

NOTE_MAX_CHARS = 20_000
LOST_REASON_MAX_CHARS = 2000


@dataclass(frozen=True)
class CleanRow:
    """A record that will become (or merge into) a lead, with the keys it is matched on.

    ``data.owner_id`` is the owner the record names (the import's default owner is for new leads only);
    ``stage`` is where a new lead starts (None: the pipeline's first open stage); ``lead_id`` is the lead
    of this org the record names (an export's ``lead_id``), which it merges into whatever its keys say.
    """

    row_number: int
    data: LeadCreateIn
    keys: dedup.MatchKeys
    company_phone: str | None
    stage: PipelineStage | None = None
    lost_reason: str | None = None
    note: str | None = None
    lead_id: uuid.UUID | None = None

    @property
    def match_domain(self) -> str | None:
        """The domain as a dedup key: a free-mail provider names no company."""
        domain = self.keys.domain
        return None if domain is None or domain in normalize.FREE_MAIL_DOMAINS else domain


@dataclass(frozen=True)
class Rejected:
    """A record that can't be imported, and why (shown to the user, stored with the raw cells)."""

    row_number: int
    reason: str
    cells: list[str]


def validation_reason(exc: ValidationError) -> str:
    """The first few schema errors as one line, e.g. ``Company name: String should have ...``."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(labelled(f"{where}: {error['msg']}") if where else error["msg"])
    return "; ".join(parts)


# The lead body's paths that are not simply "company.<field>" / "contact.<field>" of the mapping's fields.
_PATH_FIELDS = {
    "company.name": "company_name",
    "company.phone": "company_phone",
    "contact.phone": "contact_phone",
}


def labelled(reason: str) -> str:
    """*reason* with its leading field key ("value: …", "contact.email: …") named as the mapping screen
    names the field ("Deal value: …", "Email: …"): the person reading rejected rows chose those names."""
    key, sep, rest = reason.partition(": ")
    if not sep:
        return reason
    if key in _PATH_FIELDS:
        field = _PATH_FIELDS[key]
    elif key.startswith(("company.", "contact.")):
        field = key.split(".", 1)[1]
    else:
        field = key
    label = mapping_rules.FIELDS.get(field)
    return f"{label.split(' (')[0]}: {rest}" if label else reason


def clean(
    row_number: int, cells: list[str], mapping: list[str], header: list[str], context: ImportContext
) -> CleanRow | Rejected | None:
    """The record as a checked lead, a rejection with its reason, or None for an empty record."""
    try:
        values = mapping_rules.record_values(cells, mapping, len(header))
        if values is None:
            return None
        body = mapping_rules.lead_body(values)
        # Explicit empty collections: pydantic deep-copies a mutable default for every row that lacks one.
        body.setdefault("tags", [])
        body["custom_fields"] = mapping_rules.custom_values(cells, mapping, header)
        body["company"].setdefault("tags", [])
        data = LeadCreateIn.model_validate(body)
        # The order of the checks gives the same reason as creating the lead one by one would.
        keys = dedup.keys_for(data, context.region)
        company_phone = None
        if data.company is not None:
            region = normalize.phone_region(data.company.country, context.region)
            company_phone = lead_service.checked_phone(data.company.phone, region, "company.phone")
        return _with_work(row_number, data, keys, company_phone, values, context)
    except mapping_rules.RowError as exc:
        return Rejected(row_number, labelled(str(exc)), cells)
    except ValidationError as exc:
        return Rejected(row_number, validation_reason(exc), cells)
    except ValidationFailed as exc:
        reason = labelled(f"{exc.field}: {exc.detail}") if exc.field else exc.detail
        return Rejected(row_number, reason, cells)


def _with_work(
    row_number: int,
    data: LeadCreateIn,
    keys: dedup.MatchKeys,
    company_phone: str | None,
    values: dict[str, str],
    context: ImportContext,
) -> CleanRow:
    """The clean row with who owns it, where it starts and its note, as the record names them."""
    lost_reason = _capped(values, "lost_reason", LOST_REASON_MAX_CHARS)
    note = _capped(values, "note", NOTE_MAX_CHARS)
    # A closed deal's status wins over the stage it was at when it closed (which is then not read).
    stage = context.outcome(values["deal_status"], lost_reason) if "deal_status" in values else None
    if stage is None and "stage" in values:
        stage = context.stage(values["stage"], lost_reason)
    if "owner" in values:
        data.owner_id = context.owner(values["owner"])
    if "next_follow_up_at" in values:
        data.next_follow_up_at = context.follow_up(values["next_follow_up_at"])
    if stage is None or stage.kind != StageKind.LOST.value:
        lost_reason = None  # kept only on a lost lead, as a move to an open stage clears it
    return CleanRow(row_number, data, keys, company_phone, stage, lost_reason, note, _lead_id(values))


def _lead_id(values: dict[str, str]) -> uuid.UUID | None:
    """The lead id the record names; None for none, or for another tool's id in a "Lead ID" column
    (not a UUID): the record is then matched on its email, phone and domain like any other."""
    try:
        return uuid.UUID(values["lead_id"]) if "lead_id" in values else None
    except ValueError:
        return None


def _capped(values: dict[str, str], field: str, limit: int) -> str | None:
    text = values.get(field)
    if text is not None and len(text) > limit:
        raise mapping_rules.RowError(f"{field}: longer than {limit:,} characters.")
    return text
