"""Calendar rules: scheduling events, and each user's secret feed (made on demand, regenerated to revoke)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.auth.security import make_routable_token, parse_routable_token, token_hash
from salesos.calendar import sync
from salesos.calendar.models import CalendarEvent, CalendarFeed
from salesos.calendar.repository import CalendarEventRepository, CalendarFeedRepository
from salesos.config import get_settings
from salesos.crypto import decrypt, encrypt
from salesos.db.base import utcnow
from salesos.db.session import set_tenant
from salesos.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesos.leads.models import Lead, Task
from salesos.leads.repository import LeadRepository, TaskRepository
from salesos.leads.service.leads import record
from salesos.orgs.models import Role
from salesos.orgs.repository import MembershipRepository

FEED_PREFIX = "cal"
DURATIONS = (15, 30, 45, 60, 90)
# What a feed publishes: recent history for context, and everything ahead.
FEED_PAST = timedelta(days=90)
FEED_FUTURE = timedelta(days=730)
FEED_LIMIT = 2_000


def schedule(
    session: Session,
    principal: Principal,
    lead: Lead,
    *,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    notes: str | None,
    task_id: uuid.UUID | None,
) -> CalendarEvent:
    """Put an event for *lead* on the caller's calendar."""
    if principal.user_id is None:
        raise ValidationFailed("Only a person has a calendar.", field="call_at")
    if duration_minutes not in DURATIONS:
        raise ValidationFailed("Choose a duration from the list.", field="duration_minutes")
    event = CalendarEvent(
        user_id=principal.user_id,
        lead_id=lead.id,
        task_id=task_id,
        title=title[:200],
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        notes=(notes or "").strip() or None,
    )
    CalendarEventRepository(session).add(event)
    sync.queue_push(session, event)
    return event


def event_or_404(session: Session, event_id: uuid.UUID) -> CalendarEvent:
    """An event of this organisation; another org's id is not found, like an unknown one."""
    event = CalendarEventRepository(session).get(event_id)
    if event is None:
        raise NotFound("Event not found.")
    return event


def may_change(principal: Principal, event: CalendarEvent) -> bool:
    """Whether *principal* may move or cancel *event*: its own user, or an admin."""
    return event.user_id == principal.user_id or principal.has_role(Role.ADMIN)


def _changed(session: Session, principal: Principal, event: CalendarEvent, kind: str) -> None:
    """A new SEQUENCE for subscribers, a timeline line, and the connected calendar brought in line."""
    event.sequence += 1
    lead = LeadRepository(session).get(event.lead_id) if event.lead_id else None
    if lead is not None:
        at = event.starts_at.isoformat()
        record(session, lead, kind, principal.user_id, event_id=str(event.id), starts_at=at)
    session.flush()
    sync.queue_push(session, event)


def _open_task(session: Session, event: CalendarEvent) -> Task | None:
    task = TaskRepository(session).get(event.task_id) if event.task_id else None
    return task if task is not None and task.done_at is None else None


def cancel(session: Session, principal: Principal, event: CalendarEvent) -> CalendarEvent:
    """Call it off: the event leaves the calendars it is on, and the call's open task (with its reminder)
    goes. Only the event's own user or an admin may; cancelling twice changes nothing."""
    if not may_change(principal, event):
        raise Forbidden("Only its owner or an admin can cancel this call.")
    if event.cancelled_at is not None:
        return event
    event.cancelled_at = utcnow()
    task = _open_task(session, event)
    if task is not None:
        event.task_id = None
        TaskRepository(session).delete(task)
    _changed(session, principal, event, "call_cancelled")
    return event


def reschedule(
    session: Session, principal: Principal, event: CalendarEvent, starts_at: datetime
) -> CalendarEvent:
    """Move a call to *starts_at*, keeping its length; its open task, and so its reminder, move with it."""
    if not may_change(principal, event):
        raise Forbidden("Only its owner or an admin can move this call.")
    if event.cancelled_at is not None:
        raise Conflict("This call was cancelled; schedule a new one.")
    starts_at = starts_at.astimezone(UTC)  # as stored, so the answer shows what a reload would
    if starts_at == event.starts_at:
        return event
    task = _open_task(session, event)
    if task is not None:
        task.due_at = starts_at
        task.reminded_at = None  # remind again at the new time
    event.starts_at = starts_at
    _changed(session, principal, event, "call_rescheduled")
    return event


def follow_task(session: Session, task: Task, *, deleted: bool = False) -> None:
    """Keep a scheduled call on its task's time: a rescheduled task moves its event, a cleared time or a
    deleted task cancels it (no one is left to call at no time)."""
    for event in CalendarEventRepository(session).live_of_task(task.id):
        if task.due_at is None or deleted:
            event.cancelled_at = utcnow()
        elif task.due_at == event.starts_at:
            continue
        else:
            event.starts_at = task.due_at
        event.sequence += 1
        session.flush()
        sync.queue_push(session, event)


def before_task_deleted(session: Session, task: Task) -> None:
    """A deleted task's scheduled call is called off everywhere it was pushed."""
    follow_task(session, task, deleted=True)


def before_lead_deleted(session: Session, lead: Lead) -> None:
    """A deleted lead takes its events with it; take the pushed ones off the users' calendars too."""
    sync.queue_removals(session, CalendarEventRepository(session).pushed_of_lead(lead.id))


def upcoming_for_lead(session: Session, lead: Lead) -> list[CalendarEvent]:
    """The lead's events from an hour ago on."""
    return CalendarEventRepository(session).of_lead(lead.id, since=utcnow() - timedelta(hours=1))


def _context(feed_id: uuid.UUID) -> str:
    return f"calendar_feed:{feed_id}"


def _new_feed(session: Session, user_id: uuid.UUID) -> str:
    feeds = CalendarFeedRepository(session)
    token = make_routable_token(FEED_PREFIX, feeds.org_id)
    feed = CalendarFeed(user_id=user_id, token_hash=token_hash(token), token_sealed="")
    feeds.add(feed)
    feed.token_sealed = encrypt(token, context=_context(feed.id))
    session.flush()
    return token


def current_feed_token(session: Session, user_id: uuid.UUID) -> str | None:
    """The user's live feed token, None until they make one."""
    feed = CalendarFeedRepository(session).active_of_user(user_id)
    return decrypt(feed.token_sealed, context=_context(feed.id)) if feed is not None else None


def new_feed_token(session: Session, user_id: uuid.UUID) -> str:
    """A new feed token for the user; the previous URL, if any, stops working at once."""
    feed = CalendarFeedRepository(session).active_of_user(user_id)
    if feed is not None:
        feed.revoked_at = utcnow()
    return _new_feed(session, user_id)


def feed_events(session: Session, token: str) -> tuple[uuid.UUID, list[CalendarEvent]]:
    """The feed owner's id and events for a feed URL's token; NotFound for any token that isn't live."""
    org_id = parse_routable_token(FEED_PREFIX, token)
    if org_id is None:
        raise NotFound("Calendar not found.")
    set_tenant(session, org_id)
    feed = CalendarFeedRepository(session).by_hash(token_hash(token))
    # A revoked feed, or one whose user left the organisation, is gone like an unknown one.
    if feed is None or feed.revoked_at is not None:
        raise NotFound("Calendar not found.")
    if MembershipRepository(session).for_user(feed.user_id) is None:
        raise NotFound("Calendar not found.")
    now = utcnow()
    # Cancelled calls stay in the feed, marked so: a subscriber drops its copy on seeing that.
    events = CalendarEventRepository(session).of_user(
        feed.user_id, start=now - FEED_PAST, end=now + FEED_FUTURE, limit=FEED_LIMIT, with_cancelled=True
    )
    return feed.user_id, events


def feed_url(token: str | None) -> str | None:
    """The subscribable address of a feed token."""
    return f"{get_settings().base_url.rstrip('/')}/calendar/feed/{token}.ics" if token else None
