"""Merge suggestion and merge bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from salesos.api.schemas import Output, StrictInput


class MergeIn(StrictInput):
    """Merge ``other_lead_id`` into the lead in the URL, which is kept."""

    other_lead_id: uuid.UUID


class LeadSummaryOut(Output):
    """What a merge suggestion shows of one of its leads."""

    id: uuid.UUID
    company_id: uuid.UUID
    company_name: str
    city: str | None
    domain: str | None
    contact_name: str | None
    contact_email: str | None
    stage_name: str
    created_at: datetime


class MergeSuggestionOut(Output):
    id: uuid.UUID
    lead: LeadSummaryOut
    other_lead: LeadSummaryOut
    score: int
    reason: str
    status: str
    created_at: datetime


class ScanOut(Output):
    scheduled: bool
