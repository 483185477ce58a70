"""Background work of the calendar domain."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.calendar import sync
from salesos.jobs import job


@job("calendar.push_event")
def push_event(session: Session, *, org_id: uuid.UUID, event_id: uuid.UUID) -> None:
    """Put one event on its user's connected calendar, or take it off once cancelled; reruns are harmless."""
    sync.push_event(session, event_id)


@job("calendar.remove_remote_event")
def remove_remote_event(session: Session, *, org_id: uuid.UUID, user_id: uuid.UUID, remote_id: str) -> None:
    """Take an event whose row is gone (its lead was deleted) off the user's connected calendar."""
    sync.remove_remote_event(session, user_id, remote_id)
