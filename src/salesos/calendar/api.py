"""Calendar JSON API: your events, and your secret feed address."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from salesos.auth.deps import UserPrincipal, Writer
from salesos.calendar import schemas
from salesos.calendar import service as calendar
from salesos.calendar.repository import CalendarEventRepository
from salesos.db.base import utcnow
from salesos.db.deps import DbSession
from salesos.errors import ValidationFailed

router = APIRouter(tags=["calendar"])
MAX_EVENTS = 500


@router.get("/calendar/events", response_model=list[schemas.CalendarEventOut])
def list_events(
    principal: UserPrincipal,
    session: DbSession,
    start: AwareDatetime | None = None,
    end: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS)] = MAX_EVENTS,
) -> list[schemas.CalendarEventOut]:
    """Your events starting in [start, end) (default: the next 30 days), soonest first."""
    start = start or utcnow()
    end = end or start + timedelta(days=30)
    if end <= start:
        raise ValidationFailed("The end must be after the start.", field="end")
    events = CalendarEventRepository(session).of_user(
        principal.user_id,  # type: ignore[arg-type]  # UserPrincipal has a user
        start=start,
        end=end,
        limit=limit,
    )
    return [schemas.CalendarEventOut.model_validate(e) for e in events]


@router.patch("/calendar/events/{event_id}", response_model=schemas.CalendarEventOut)
def reschedule_event(
    event_id: uuid.UUID, body: schemas.RescheduleIn, principal: Writer, session: DbSession
) -> schemas.CalendarEventOut:
    """Move a call (its own user or an admin), keeping its length; its open task and reminder move too,
    and the feed and the connected calendar follow. A cancelled call is a 409."""
    event = calendar.reschedule(session, principal, calendar.event_or_404(session, event_id), body.starts_at)
    return schemas.CalendarEventOut.model_validate(event)


@router.delete("/calendar/events/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def cancel_event(event_id: uuid.UUID, principal: Writer, session: DbSession) -> None:
    """Cancel a scheduled call (its own user or an admin): it leaves the feed and the connected calendar,
    and its open task goes with it. Cancelling it again changes nothing."""
    calendar.cancel(session, principal, calendar.event_or_404(session, event_id))


@router.get("/calendar/feed", response_model=schemas.FeedOut)
def get_feed(principal: UserPrincipal, session: DbSession) -> schemas.FeedOut:
    """Your ICS feed address, for Google Calendar, Outlook or Apple Calendar (null until made)."""
    token = calendar.current_feed_token(session, principal.user_id)  # type: ignore[arg-type]
    return schemas.FeedOut(url=calendar.feed_url(token))


@router.post("/calendar/feed", response_model=schemas.FeedOut)
def new_feed(principal: UserPrincipal, session: DbSession) -> schemas.FeedOut:
    """Make a new feed address; the previous one stops working at once."""
    token = calendar.new_feed_token(session, principal.user_id)  # type: ignore[arg-type]
    return schemas.FeedOut(url=calendar.feed_url(token))
