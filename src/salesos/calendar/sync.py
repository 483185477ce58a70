"""Google Calendar sync: connect over OAuth (a signed state binds the callback to the user), then push each
scheduled call to the connected calendar in a job, and its changes and cancellation after it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import jwt
from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.auth.security import new_token
from salesos.calendar.models import CalendarConnection, CalendarEvent
from salesos.calendar.repository import CalendarConnectionRepository, CalendarEventRepository
from salesos.config import get_settings
from salesos.crypto import decrypt, encrypt
from salesos.db.base import utcnow
from salesos.errors import Conflict, UpstreamFailed, ValidationFailed
from salesos.integrations.base import ProviderError
from salesos.integrations.calendar.base import (
    CalendarProvider,
    OAuthTokens,
    RemoteEvent,
    TokenExpired,
    get_calendar_provider,
)
from salesos.integrations.calendar.google import EXPIRY_MARGIN_SECONDS
from salesos.integrations.usage import record_usage
from salesos.jobs import enqueue

T = TypeVar("T")
STATE_AUDIENCE = "salesos:calendar-connect"
STATE_LIFETIME = timedelta(minutes=10)


def provider_or_409() -> CalendarProvider:
    """The configured provider; without OAuth credentials there is nothing to connect to."""
    provider = get_calendar_provider()
    if provider is None:
        raise Conflict("Google Calendar sync is not set up on this server (SALESOS_GOOGLE_CLIENT_ID/SECRET).")
    return provider


def redirect_uri() -> str:
    """Where the provider sends the user back (register it with the OAuth client)."""
    return f"{get_settings().base_url.rstrip('/')}/settings/calendar/google/callback"


def connect_url(principal: Principal) -> str:
    """The provider's consent page, with a short-lived state naming this user and organisation."""
    claims = {
        "sub": str(principal.user_id),
        "org": str(principal.org_id),
        "aud": STATE_AUDIENCE,
        "exp": int(time.time() + STATE_LIFETIME.total_seconds()),
        "nonce": new_token(12),
    }
    state = jwt.encode(claims, get_settings().secret_key, algorithm="HS256")
    return provider_or_409().authorization_url(state=state, redirect_uri=redirect_uri())


def _check_state(principal: Principal, state: str) -> None:
    try:
        claims = jwt.decode(state, get_settings().secret_key, algorithms=["HS256"], audience=STATE_AUDIENCE)
    except jwt.PyJWTError:
        claims = {}
    if claims.get("sub") != str(principal.user_id) or claims.get("org") != str(principal.org_id):
        raise ValidationFailed("That connection request expired or isn't yours; start again.", field="state")


def _context(connection: CalendarConnection) -> str:
    return f"calendar_connection:{connection.id}"


def _store(connection: CalendarConnection, tokens: OAuthTokens) -> None:
    connection.tokens_sealed = encrypt(json.dumps(tokens.__dict__), context=_context(connection))


def _tokens(connection: CalendarConnection) -> OAuthTokens:
    return OAuthTokens(**json.loads(decrypt(connection.tokens_sealed, context=_context(connection))))


def complete_connect(session: Session, principal: Principal, *, code: str, state: str) -> CalendarConnection:
    """Finish the OAuth dance: check the state, trade the code for tokens, keep them sealed."""
    _check_state(principal, state)
    provider = provider_or_409()
    try:
        tokens = provider.exchange_code(code=code, redirect_uri=redirect_uri())
    except ProviderError as exc:
        raise UpstreamFailed(f"{provider.label} did not connect: {exc} Try again.") from exc
    repo = CalendarConnectionRepository(session)
    connection = repo.of_user(principal.user_id, provider.name)  # type: ignore[arg-type]
    if connection is None:
        connection = repo.add(
            CalendarConnection(user_id=principal.user_id, provider=provider.name, tokens_sealed="")
        )
    _store(connection, tokens)
    connection.last_error = None
    session.flush()
    return connection


def disconnect(session: Session, user_id: uuid.UUID) -> None:
    """Stop syncing (events already on the calendar stay there)."""
    provider = get_calendar_provider()
    repo = CalendarConnectionRepository(session)
    connection = repo.of_user(user_id, provider.name if provider else "google")
    if connection is not None:
        repo.delete(connection)


# A cancellation that finds no remote id may have overtaken a push still talking to Google; looking again
# this much later removes what that push inserted.
RECHECK_AFTER = timedelta(minutes=2)


def queue_push(session: Session, event: CalendarEvent, *, after: timedelta | None = None) -> None:
    """Push *event* to its user's connected calendar, if they connected one (*after* a delay if given)."""
    provider = get_calendar_provider()
    if (
        provider is None
        or CalendarConnectionRepository(session).of_user(event.user_id, provider.name) is None
    ):
        return
    run_at = utcnow() + after if after is not None else None
    enqueue(session, "calendar.push_event", run_at=run_at, org_id=event.org_id, event_id=event.id)


def _remote(event: CalendarEvent) -> RemoteEvent:
    url = f"{get_settings().base_url.rstrip('/')}/leads/{event.lead_id}" if event.lead_id else None
    description = "\n\n".join(part for part in (event.notes, url) if part)
    return RemoteEvent(
        key=event.id.hex,  # hex is within Google's base32hex id alphabet
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(minutes=event.duration_minutes),
        description=description,
        url=url,
    )


def _call_with_fresh_tokens(
    provider: CalendarProvider, connection: CalendarConnection, call: Callable[[OAuthTokens], T]
) -> T:
    """Run *call* with the connection's tokens, refreshing them first when they are about to expire and
    once more when the provider refuses them; a refusal of fresh tokens is permanent."""
    tokens = _tokens(connection)
    try:
        if tokens.expires_at - EXPIRY_MARGIN_SECONDS < time.time():
            tokens = provider.refresh(tokens)
            _store(connection, tokens)
        try:
            return call(tokens)
        except TokenExpired:
            tokens = provider.refresh(tokens)
            _store(connection, tokens)
            return call(tokens)
    except TokenExpired as exc:
        raise ProviderError("Google refused a fresh token.", permanent=True, provider=provider.name) from exc


def _synced(
    session: Session,
    provider: CalendarProvider,
    connection: CalendarConnection,
    operation: str,
    call: Callable[[OAuthTokens], T],
) -> T | None:
    """*call*'s result, the connection marked synced; None when the provider refused for good (kept on
    the connection for the settings page). A passing failure is raised for the job to retry with backoff."""
    try:
        result = _call_with_fresh_tokens(provider, connection, call)
    except ProviderError as exc:
        if not exc.permanent:
            raise
        connection.last_error = str(exc)[:500]
        session.flush()
        return None
    connection.last_synced_at, connection.last_error = utcnow(), None
    record_usage(session, kind="calendar", provider=provider.name, operation=operation)
    session.flush()
    return result


def _remove(
    session: Session, provider: CalendarProvider, connection: CalendarConnection, remote_id: str
) -> bool:
    """Take one event off the connected calendar; False when the provider refused for good."""

    def cancel(tokens: OAuthTokens) -> bool:
        provider.cancel_event(tokens, connection.calendar_id, remote_id)
        return True

    return bool(_synced(session, provider, connection, "cancel_event", cancel))


def push_event(session: Session, event_id: uuid.UUID) -> str | None:
    """Bring the connected calendar in line with the event: create or update it, or take it off once the
    call is cancelled. The remote id of a live event, or None when there is nothing (more) to do."""
    event = CalendarEventRepository(session).get(event_id)
    provider = get_calendar_provider()
    if event is None or provider is None:
        return None
    connection = CalendarConnectionRepository(session).of_user(event.user_id, provider.name)
    if connection is None:
        return None
    if event.cancelled_at is not None:
        # Without a remote id, the push may still be in flight: it inserts under our own key, so remove
        # by that key now (a 404 is fine) and once more a little later.
        in_flight = event.remote_id is None and event.remote_synced_at is None
        if _remove(session, provider, connection, event.remote_id or _remote(event).key):
            event.remote_synced_at = utcnow()
            session.flush()
            if in_flight:
                queue_push(session, event, after=RECHECK_AFTER)
        return None
    remote = _remote(event)
    remote_id = _synced(
        session,
        provider,
        connection,
        "upsert_event",
        lambda tokens: provider.upsert_event(tokens, connection.calendar_id, remote),
    )
    if remote_id is not None:
        event.remote_id, event.remote_synced_at = remote_id, connection.last_synced_at
        session.flush()
    return remote_id


def queue_removals(session: Session, events: list[CalendarEvent]) -> None:
    """Take pushed events off their users' calendars although their rows are about to go (a deleted lead
    takes its events with it): the job carries what it needs instead of the event's id."""
    for event in events:
        if event.remote_id is not None:
            enqueue(
                session,
                "calendar.remove_remote_event",
                org_id=event.org_id,
                user_id=event.user_id,
                remote_id=event.remote_id,
            )


def remove_remote_event(session: Session, user_id: uuid.UUID, remote_id: str) -> bool:
    """Take one event off the user's connected calendar; False without a connection (any more)."""
    provider = get_calendar_provider()
    if provider is None:
        return False
    connection = CalendarConnectionRepository(session).of_user(user_id, provider.name)
    return connection is not None and _remove(session, provider, connection, remote_id)
