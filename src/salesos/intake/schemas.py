"""Intake bodies: one posted lead row, endpoint management in and out, the per-row report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from salesos.api.schemas import Output, StrictInput
from salesos.leads.schemas import CompanyIn, ContactIn, Tags

MAX_BATCH = 1000
RowStatus = Literal["created", "merged", "duplicate", "rejected"]


class IntakeRowIn(StrictInput):
    """One lead as a scraper sends it; ``external_id`` is the source's own id and makes replays no-ops."""

    external_id: str = Field(
        min_length=1, max_length=200, description="The source's own id: this endpoint takes each id once"
    )
    company: CompanyIn = Field(description="The business; matched on its domain (from the website)")
    contact: ContactIn | None = Field(default=None, description="A person there; matched on email or phone")
    tags: Tags = Field(default=[], description="Up to 50 tags of up to 50 characters")
    source: str | None = Field(
        default=None, max_length=64, description="The lead's source; default: the endpoint's own"
    )


class IntakeBatchIn(StrictInput):
    """Up to 1,000 rows in one request (a single row may also be posted bare)."""

    leads: list[IntakeRowIn] = Field(max_length=MAX_BATCH, description="The rows, at most 1,000")


class RowResultOut(Output):
    index: int
    external_id: str | None
    status: RowStatus
    lead_id: uuid.UUID | None = None
    reason: str | None = None


class IntakeResultOut(Output):
    created: int
    merged: int
    duplicates: int
    rejected: int
    results: list[RowResultOut]


class IntakeEndpointIn(StrictInput):
    name: str = Field(min_length=1, max_length=120)
    # The lead source recorded on rows that don't name one, e.g. "maps-scraper".
    source: str = Field(default="webhook", min_length=1, max_length=64)


class IntakeEndpointOut(Output):
    id: uuid.UUID
    name: str
    source: str
    url: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    previous_expires_at: datetime | None


class IntakeEndpointSecretOut(IntakeEndpointOut):
    """An endpoint with its new secret: the only response that ever carries it."""

    secret: str
