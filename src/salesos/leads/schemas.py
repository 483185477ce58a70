"""Lead, company, contact, pipeline, note, task and timeline bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from salesos.api.schemas import Output, StrictInput

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=50)]
Tier = Literal["A", "B", "C"]
CustomValue = str | int | float | bool | None
CustomFields = Annotated[
    dict[Annotated[str, StringConstraints(max_length=64)], CustomValue], Field(max_length=50)
]


class CompanyIn(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=255)
    website: str | None = Field(default=None, max_length=500)
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
    source: str | None = Field(default=None, max_length=64)
    tags: Tags = []


class ContactIn(StrictInput):
    first_name: str | None = Field(default=None, max_length=120)
    last_name: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, max_length=160)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    linkedin_url: str | None = Field(default=None, max_length=500)
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
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    source: str | None = Field(default=None, max_length=64)
    tags: Tags = []
    tier: Tier | None = None
    next_follow_up_at: AwareDatetime | None = None
    custom_fields: CustomFields = {}


class LeadUpdateIn(StrictInput):
    """Fields to change; an explicit null clears a nullable field."""

    stage_id: uuid.UUID | None = None
    # Required when moving to a lost stage; kept on the lead and in its history.
    lost_reason: str | None = Field(default=None, max_length=2000)
    # Why the stage changed (any stage), recorded in the history.
    reason: str | None = Field(default=None, max_length=2000)
    owner_id: uuid.UUID | None = None
    value: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    source: str | None = Field(default=None, max_length=64)
    tags: Tags | None = None
    tier: Tier | None = None
    next_follow_up_at: AwareDatetime | None = None
    custom_fields: CustomFields | None = None


class NoteIn(StrictInput):
    body: str = Field(min_length=1, max_length=20_000)


class TaskIn(StrictInput):
    title: str = Field(min_length=1, max_length=200)
    due_at: AwareDatetime | None = None
    assignee_id: uuid.UUID | None = None


class TaskUpdateIn(StrictInput):
    done: bool | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    due_at: AwareDatetime | None = None
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


class ContactOut(Output):
    id: uuid.UUID
    company_id: uuid.UUID | None
    first_name: str | None
    last_name: str | None
    full_name: str
    title: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None
    is_primary: bool
    is_decision_maker: bool
    email_consent: bool
    do_not_contact: bool
    created_at: datetime


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


class TaskOut(Output):
    id: uuid.UUID
    lead_id: uuid.UUID
    title: str
    due_at: datetime | None
    assignee_id: uuid.UUID | None
    done_at: datetime | None
    created_at: datetime


class ActivityOut(Output):
    id: uuid.UUID
    lead_id: uuid.UUID
    actor_id: uuid.UUID | None
    kind: str
    data: dict[str, Any]
    created_at: datetime


class LeadFilters(StrictInput):
    """Query filters of the lead list (all optional, combined with AND)."""

    stage_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    tag: str | None = Field(default=None, max_length=50)
    source: str | None = Field(default=None, max_length=64)
    tier: Tier | None = None
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    q: str | None = Field(default=None, max_length=200)
