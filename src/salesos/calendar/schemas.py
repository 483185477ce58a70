"""Calendar bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from salesos.api.schemas import Output, StrictInput, UtcInstant


class CalendarEventOut(Output):
    id: uuid.UUID
    lead_id: uuid.UUID | None
    task_id: uuid.UUID | None
    title: str
    starts_at: datetime
    duration_minutes: int
    notes: str | None
    created_at: datetime


class RescheduleIn(StrictInput):
    """When the call starts now (with a timezone); it keeps its length."""

    starts_at: UtcInstant


class FeedOut(Output):
    """The caller's secret feed address (null until they make one)."""

    url: str | None
