"""Calendar rules: scheduling events, and each user's secret feed (made on demand, regenerated to revoke)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

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
from salesos.errors import NotFound, ValidationFailed
from salesos.leads.models import Lead
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
    events = CalendarEventRepository(session).of_user(
        feed.user_id, start=now - FEED_PAST, end=now + FEED_FUTURE, limit=FEED_LIMIT
    )
    return feed.user_id, events


def feed_url(token: str | None) -> str | None:
    """The subscribable address of a feed token."""
    return f"{get_settings().base_url.rstrip('/')}/calendar/feed/{token}.ics" if token else None
