"""Lead, company, contact, pipeline, note, task and timeline bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, StringConstraints, computed_field

from salesos.api.schemas import Output, StrictInput, UtcInstant
from salesos.leads import normalize

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
# Every way in (API, forms, intake, CSV import) stores tags in one form: see normalize.normalize_tags.
Tags = Annotated[list[Tag], Field(max_length=50), AfterValidator(normalize.normalize_tags)]
Tier = Literal["A", "B", "C"]


def _known_currency(code: str) -> str:
    if code not in normalize.CURRENCY_CODES:
        raise ValueError("Not an ISO 4217 currency code (such as USD, EUR, GBP).")
    return code


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# A link shown on the lead page: http(s) only, a bare host gets https:// (see normalize.web_address).
WebAddress = Annotated[str, StringConstraints(max_length=500), AfterValidator(normalize.web_address)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]
# Where a lead came from: an empty string is no source, not a source called "".
Source = Annotated[Annotated[str, StringConstraints(max_length=64)] | None, BeforeValidator(_blank_is_none)]
CUSTOM_TEXT_MAX_CHARS = 2000


def _custom_value(value: Any) -> Any:
    """One check with one message: a union of types would answer four errors, one per type tried."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if len(value) > CUSTOM_TEXT_MAX_CHARS:
            raise ValueError(f"A custom field's text is at most {CUSTOM_TEXT_MAX_CHARS:,} characters.")
        return value
    raise ValueError("A custom field holds text, a number, true or false, or null.")


CustomValue = Annotated[
    Any, PlainValidator(_custom_value, json_schema_input_type=str | int | float | bool | None)
]
CustomFields = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], CustomValue], Field(max_length=50)
]


class CompanyDetails(StrictInput):
    """A company's optional details, shared by create and update bodies."""

    domain: str | None = Field(default=None, max_length=255)
    website: WebAddress | None = None
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=120)
    region: str | None = Field(default=None, max_length=120)
    postal_code: str | None = Field(default=None, max_length=32)
    country: str | None = Field(default=None, max_length=64)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    industry: str | None = Field(default=None, max_length=120)
    size: str | None = Field(default=None, max_length=32)
    source: Source = None


class CompanyIn(CompanyDetails):
    name: str = Field(min_length=1, max_length=200)
    tags: Tags = []


class ContactDetails(StrictInput):
    """A person's optional details, shared by create and update bodies."""

    first_name: str | None = Field(default=None, max_length=120)
    last_name: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, max_length=160)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    linkedin_url: WebAddress | None = None

    def names_someone(self) -> bool:
        """Whether these details point at a person: a name, an email, a phone number or a profile."""
        return any((self.first_name, self.last_name, self.email, self.phone, self.linkedin_url))

    def is_blank(self) -> bool:
        """Whether nothing was filled in (no text, no flag ticked): no person, rather than a bad one."""
        return not any(self.model_dump().values())


class ContactIn(ContactDetails):
    is_decision_maker: bool = False
    email_consent: bool = False
    do_not_contact: bool = False


class LeadCreateIn(StrictInput):
    """A lead for a new company (``company``) or an existing one (``company_id``)."""

    company: CompanyIn | None = None
    company_id: uuid.UUID | None = None
    contact: ContactIn | None = None
    stage_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    value: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: Currency = "USD"
    source: Source = None
    tags: Tags = []
    tier: Tier | None = None
    next_follow_up_at: UtcInstant | None = None
    custom_fields: CustomFields = {}


class LeadUpdateIn(StrictInput):
    """Fields to change; an explicit null clears a nullable field."""

    stage_id: uuid.UUID | None = None
    # Required when moving to a lost stage; kept on the lead and in its history.
    lost_reason: str | None = Field(default=None, max_length=2000)
    # Why the stage changed (any stage), recorded in the history.
    reason: str | None = Field(default=None, max_length=2000)
    owner_id: uuid.UUID | None = None
    # A person at the lead's company: who its email, call and WhatsApp reach (null: nobody).
    primary_contact_id: uuid.UUID | None = None
    value: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: Currency | None = None
    source: Source = None
    tags: Tags | None = None
    tier: Tier | None = None
    next_follow_up_at: UtcInstant | None = None
    custom_fields: CustomFields | None = None
    # The stage the client last saw (an offline edit replayed later): a lead moved elsewhere since is a 409.
    expected_stage_id: uuid.UUID | None = None
    # The lead's updated_at as the client last saw it: a lead changed in any way since is a 409.
    expected_updated_at: UtcInstant | None = None


class NoteIn(StrictInput):
    body: str = Field(min_length=1, max_length=20_000)


class NoteUpdateIn(NoteIn):
    """A note's new text (the whole of it)."""


class TaskIn(StrictInput):
    title: str = Field(min_length=1, max_length=200)
    due_at: UtcInstant | None = None
    assignee_id: uuid.UUID | None = None


class TaskUpdateIn(StrictInput):
    done: bool | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    due_at: UtcInstant | None = None
    assignee_id: uuid.UUID | None = None


class StageOut(Output):
    id: uuid.UUID
    name: str
    position: int
    kind: str


class PipelineOut(Output):
    id: uuid.UUID
    name: str
    is_default: bool
    stages: list[StageOut]


class CompanyOut(Output):
    id: uuid.UUID
    name: str
    domain: str | None
    website: str | None
    phone: str | None
    address: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    lat: float | None
    lon: float | None
    industry: str | None
    size: str | None
    source: str | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class ContactOut(Output):
    id: uuid.UUID
    company_id: uuid.UUID | None
    first_name: str | None
    last_name: str | None
    # Stored as "" for a person known only by an email or phone; answered like the other absent names.
    full_name: Annotated[str | None, BeforeValidator(_blank_is_none)]
    title: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None
    is_primary: bool
    is_decision_maker: bool
    email_consent: bool
    do_not_contact: bool
    created_at: datetime
    updated_at: datetime


class LeadListOut(Output):
    """A row of the lead list: the lead with its company's and primary contact's names."""

    id: uuid.UUID
    company_id: uuid.UUID
    company_name: str
    primary_contact_id: uuid.UUID | None
    contact_name: str | None
    contact_email: str | None
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID
    owner_id: uuid.UUID | None
    value: Decimal | None
    currency: str
    source: str | None
    tags: list[str]
    score: int | None
    tier: str | None
    next_follow_up_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LeadOut(Output):
    id: uuid.UUID
    company: CompanyOut
    primary_contact: ContactOut | None
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID
    owner_id: uuid.UUID | None
    value: Decimal | None
    currency: str
    source: str | None
    tags: list[str]
    score: int | None
    tier: str | None
    next_follow_up_at: datetime | None
    custom_fields: dict[str, Any]
    lost_reason: str | None
    created_at: datetime
    updated_at: datetime


class NoteOut(Output):
    id: uuid.UUID
    lead_id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    created_at: datetime
    edited_at: datetime | None


class TaskOut(Output):
    id: uuid.UUID
    lead_id: uuid.UUID
    title: str
    due_at: datetime | None
    assignee_id: uuid.UUID | None
    done_at: datetime | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def done(self) -> bool:
        """Whether the task is done (``done_at`` is set): what ``done`` in a PATCH sets."""
        return self.done_at is not None


class ActivityOut(Output):
    id: uuid.UUID
    lead_id: uuid.UUID
    actor_id: uuid.UUID | None
    kind: str
    data: dict[str, Any]
    created_at: datetime


LeadSort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "value", "-value",
    "company_name", "-company_name", "next_follow_up_at", "-next_follow_up_at", "score", "-score",
    "tier", "-tier",
]  # fmt: skip


FollowUpFilter = Literal["due", "today", "none"]
# Created within the last so many days, counted back from when the list is read (a saved view stays relative).
AddedFilter = Literal["7d", "30d", "90d"]
ADDED_DAYS: dict[str, int] = {"7d": 7, "30d": 30, "90d": 90}


# The owner filter's value for leads nobody owns (a manager's "who hasn't got these yet?").
UNOWNED: Final = "none"


class LeadFilters(StrictInput):
    """Query filters of the lead list (all optional, combined with AND), and its order."""

    stage_id: uuid.UUID | None = None
    owner_id: uuid.UUID | Literal["none"] | None = Field(
        default=None, description="A member's id, or `none` for the leads nobody owns"
    )
    tag: str | None = Field(default=None, max_length=50)
    source: Source = None
    tier: Tier | None = None
    created_after: UtcInstant | None = None
    created_before: UtcInstant | None = None
    q: str | None = Field(default=None, max_length=200, description="Company, contact name or email")
    added: AddedFilter | None = Field(
        default=None,
        description="Created in the last 7, 30 or 90 days (`7d`, `30d`, `90d`), counted from now",
    )
    follow_up: FollowUpFilter | None = Field(
        default=None,
        description=(
            "`due`: a follow-up planned for now or earlier; `today`: planned before the end of the caller's "
            "day (their time zone, else the organisation's); `none`: none planned"
        ),
    )
    # Not a filter: bulk updates ignore it.
    sort: LeadSort = Field(
        default="-created_at",
        description="Order: a field, `-` prefix for descending; empty values last",
    )


# --- pipeline and stage editing (admins) ----------------------------------------------------------------

MAX_STAGES = 30
StageKindIn = Literal["open", "won", "lost"]
PipelineName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class NewStageIn(StrictInput):
    """A stage of a pipeline being created; its place in the list is its position."""

    name: PipelineName
    kind: StageKindIn = "open"


class PipelineCreateIn(StrictInput):
    """A new pipeline; without ``stages`` it gets the default set (New … Won / Lost)."""

    name: PipelineName
    is_default: bool = False
    stages: list[NewStageIn] | None = Field(default=None, min_length=1, max_length=MAX_STAGES)


class PipelineUpdateIn(StrictInput):
    """Rename a pipeline, or make it the default (``is_default: true``; the previous one stops being it)."""

    name: PipelineName | None = None
    is_default: bool | None = None


class StageCreateIn(NewStageIn):
    """A stage added to a pipeline at ``position`` (0 = first; default: last); later stages shift along."""

    position: int | None = Field(default=None, ge=0, le=MAX_STAGES)


class StageUpdateIn(StrictInput):
    """Rename a stage, change its kind, or move it to ``position`` (the others close up around it)."""

    name: PipelineName | None = None
    kind: StageKindIn | None = None
    position: int | None = Field(default=None, ge=0, le=MAX_STAGES)


# --- Bulk updates and saved views of the lead list -------------------------------------------------

BULK_MAX_IDS = 1000


class LeadBulkSet(StrictInput):
    """What a bulk update changes; a field left out is kept (``owner_id: null`` unassigns)."""

    stage_id: uuid.UUID | None = None
    # Required when moving to a lost stage.
    lost_reason: str | None = Field(default=None, max_length=2000)
    owner_id: uuid.UUID | None = None
    add_tags: Tags = []
    remove_tags: Tags = []


class LeadBulkIn(StrictInput):
    """Either ``ids`` (at most 1,000) or ``filter`` (the list's filters), and what to ``set``."""

    ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=BULK_MAX_IDS)] | None = None
    filter: LeadFilters | None = None
    set: LeadBulkSet


class LeadBulkOut(Output):
    """``done``: applied in the request; ``queued``: a job applies it (``job_id``) to ``matched`` leads."""

    status: Literal["done", "queued"]
    matched: int
    updated: int
    not_found: list[uuid.UUID] = []
    job_id: uuid.UUID | None = None


SavedViewName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class SavedViewFilters(StrictInput):
    """The lead list's filters a view remembers (dates are left out: a view is reopened later)."""

    stage_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    tag: str | None = Field(default=None, max_length=50)
    source: Source = None
    tier: Tier | None = None
    q: str | None = Field(default=None, max_length=200)
    added: AddedFilter | None = None  # relative, like follow_up
    follow_up: FollowUpFilter | None = None  # relative ("due", "today": when the view is opened)


class SavedViewIn(StrictInput):
    name: SavedViewName
    filters: SavedViewFilters = SavedViewFilters()
    sort: LeadSort = "-created_at"
    shared: bool = False


class SavedViewUpdateIn(StrictInput):
    name: SavedViewName | None = None
    filters: SavedViewFilters | None = None
    sort: LeadSort | None = None
    shared: bool | None = None


class SavedViewOut(Output):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    filters: SavedViewFilters
    sort: str
    shared: bool
    created_at: datetime
    updated_at: datetime


class CompanyUpdateIn(CompanyDetails):
    """Company fields to change; an explicit null clears a field (the name can't be cleared)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    tags: Tags | None = None


class ContactCreateIn(ContactIn):
    """A person at a company of this org (``company_id``) or on their own."""

    company_id: uuid.UUID | None = None


class ContactUpdateIn(ContactDetails):
    """Contact fields to change; an explicit null clears a text field."""

    company_id: uuid.UUID | None = None
    is_decision_maker: bool | None = None
    email_consent: bool | None = None
    do_not_contact: bool | None = None
