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

    external_id: str = Field(min_length=1, max_length=200)
    company: CompanyIn
    contact: ContactIn | None = None
    tags: Tags = []
    source: str | None = Field(default=None, max_length=64)


class IntakeBatchIn(StrictInput):
    """Up to 1,000 rows in one request (a single row may also be posted bare)."""

    leads: list[IntakeRowIn] = Field(max_length=MAX_BATCH)


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
