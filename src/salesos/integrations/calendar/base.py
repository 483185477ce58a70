"""The calendar provider interface: OAuth connect, token refresh, and event upsert/delete."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from salesos.config import get_settings


@dataclass(frozen=True)
class OAuthTokens:
    """A connection's tokens; *expires_at* is a Unix time."""

    access_token: str
    refresh_token: str
    expires_at: float


@dataclass(frozen=True)
class RemoteEvent:
    """An event as pushed to a provider; *key* is ours and makes a retried insert a no-op."""

    key: str
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str
    url: str | None


class CalendarProvider(abc.ABC):
    """A calendar reached over OAuth. Errors are ``ProviderError``; ``TokenExpired`` asks for a refresh."""

    name: str
    label: str

    @abc.abstractmethod
    def authorization_url(self, *, state: str, redirect_uri: str) -> str:
        """Where to send the user to grant access."""

    @abc.abstractmethod
    def exchange_code(self, *, code: str, redirect_uri: str) -> OAuthTokens:
        """Trade the callback's code for tokens."""

    @abc.abstractmethod
    def refresh(self, tokens: OAuthTokens) -> OAuthTokens:
        """New access token from the refresh token."""

    @abc.abstractmethod
    def upsert_event(self, tokens: OAuthTokens, calendar_id: str, event: RemoteEvent) -> str:
        """Create or replace the event; returns the provider's id for it."""

    @abc.abstractmethod
    def cancel_event(self, tokens: OAuthTokens, calendar_id: str, remote_id: str) -> None:
        """Remove the event from the calendar; one that is already gone counts as removed."""


class TokenExpired(Exception):
    """The access token was refused: refresh and try once more."""


def get_calendar_provider() -> CalendarProvider | None:
    """Google Calendar when the operator set OAuth credentials, else None (the ICS feed works without)."""
    settings = get_settings()
    if not (settings.google_client_id and settings.google_client_secret):
        return None
    from salesos.integrations.calendar.google import GoogleCalendarProvider

    return GoogleCalendarProvider(settings)
