"""Background work of the calendar domain."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.calendar.sync import push_event as push
from salesos.jobs import job


@job("calendar.push_event")
def push_event(session: Session, *, org_id: uuid.UUID, event_id: uuid.UUID) -> None:
    """Put one event on its user's connected calendar; a rerun updates the same remote event."""
    push(session, event_id)
