"""Background work of the notifications domain."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from salesos.db.base import utcnow
from salesos.jobs import job, periodic
from salesos.notifications import digest, push, reminders


@job("notifications.push")
def push_notification(
    session: Session, *, org_id: uuid.UUID, subscription_id: uuid.UUID, notification_id: uuid.UUID
) -> None:
    """Deliver one notification to one device (skipped once read; a gone device is removed)."""
    push.send(session, subscription_id, notification_id)


@periodic("notifications.remind_due", every_seconds=60)
def remind_due(session: Session) -> None:
    """Send the reminders of tasks and scheduled calls coming due (each exactly once)."""
    reminders.remind_due(session, utcnow())


@periodic("notifications.schedule_digests", every_seconds=digest.SCAN_EVERY_SECONDS)
def schedule_digests(session: Session) -> None:
    """Queue the daily digest of everyone whose local morning it is now."""
    digest.schedule_due(session, utcnow())


@job("notifications.send_digest")
def send_digest(session: Session, *, org_id: uuid.UUID, user_id: uuid.UUID, day: str) -> None:
    """Email one person's digest for one local date (queued once per date by its dedup key)."""
    digest.send(session, user_id, date.fromisoformat(day), utcnow())
