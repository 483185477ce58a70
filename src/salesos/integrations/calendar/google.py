"""Google Calendar over its REST API: OAuth 2 (authlib's RFC 6749 helpers), events.insert/update/delete."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request

from salesos.config import Settings
from salesos.integrations.base import ProviderError
from salesos.integrations.calendar.base import CalendarProvider, OAuthTokens, RemoteEvent, TokenExpired

SCOPE = "https://www.googleapis.com/auth/calendar.events"
TIMEOUT_SECONDS = 10.0
# Refresh a little before expiry so a token doesn't lapse between the check and the call.
EXPIRY_MARGIN_SECONDS = 60


def _rfc3339(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class GoogleCalendarProvider(CalendarProvider):
    name = "google"
    label = "Google Calendar"

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def authorization_url(self, *, state: str, redirect_uri: str) -> str:
        """Google's consent page; offline access with consent forced, so a refresh token comes back."""
        return prepare_grant_uri(
            self.settings.google_auth_url,
            self.settings.google_client_id,
            "code",
            redirect_uri=redirect_uri,
            scope=SCOPE,
            state=state,
            access_type="offline",
            prompt="consent",
            include_granted_scopes="true",
        )

    def _token_request(self, body: str, *, previous: OAuthTokens | None = None) -> OAuthTokens:
        try:
            response = self.client.post(
                self.settings.google_token_url,
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                auth=(self.settings.google_client_id, self.settings.google_client_secret),
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"Google unreachable: {type(exc).__name__}", provider=self.name) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(f"Google token endpoint answered {response.status_code}.", provider=self.name)
        data = response.json() if response.content else {}
        if response.status_code != 200 or "access_token" not in data:
            # invalid_grant: the user revoked access or the code was used; only a new connect helps.
            reason = data.get("error", response.status_code)
            raise ProviderError(
                f"Google refused the token request ({reason}).", permanent=True, provider=self.name
            )
        refresh = data.get("refresh_token") or (previous.refresh_token if previous else "")
        return OAuthTokens(data["access_token"], refresh, time.time() + float(data.get("expires_in", 3600)))

    def exchange_code(self, *, code: str, redirect_uri: str) -> OAuthTokens:
        """Tokens for the code Google sent to the callback."""
        body = prepare_token_request("authorization_code", code=code, redirect_uri=redirect_uri)
        return self._token_request(body)

    def refresh(self, tokens: OAuthTokens) -> OAuthTokens:
        """A fresh access token (Google keeps the refresh token unless it sends a new one)."""
        body = prepare_token_request("refresh_token", refresh_token=tokens.refresh_token)
        return self._token_request(body, previous=tokens)

    def _call(
        self, method: str, url: str, tokens: OAuthTokens, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        try:
            response = self.client.request(
                method, url, json=body, headers={"Authorization": f"Bearer {tokens.access_token}"}
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"Google unreachable: {type(exc).__name__}", provider=self.name) from exc
        if response.status_code == 401:
            raise TokenExpired()
        if response.status_code == 429 or response.status_code >= 500:
            raise ProviderError(f"Google Calendar answered {response.status_code}.", provider=self.name)
        return response

    def _events_url(self, calendar_id: str) -> str:
        return (
            f"{self.settings.google_calendar_api.rstrip('/')}/calendars/{quote(calendar_id, safe='')}/events"
        )

    def upsert_event(self, tokens: OAuthTokens, calendar_id: str, event: RemoteEvent) -> str:
        """Insert with our own id (a retried insert gets 409 and becomes an update), or update."""
        base = self._events_url(calendar_id)
        body: dict[str, Any] = {
            "id": event.key,
            "summary": event.title,
            "description": event.description,
            "start": {"dateTime": _rfc3339(event.starts_at)},
            "end": {"dateTime": _rfc3339(event.ends_at)},
            "source": {"title": "SalesOS", "url": event.url} if event.url else None,
            "reminders": {"useDefault": True},
        }
        body = {k: v for k, v in body.items() if v is not None}
        response = self._call("POST", base, tokens, body)
        if response.status_code == 409:
            response = self._call("PUT", f"{base}/{event.key}", tokens, body)
        if not response.is_success:
            raise ProviderError(
                f"Google Calendar refused the event ({response.status_code}).",
                permanent=True,
                provider=self.name,
            )
        return str(response.json().get("id", event.key))

    def cancel_event(self, tokens: OAuthTokens, calendar_id: str, remote_id: str) -> None:
        """events.delete; 410 (deleted before, by us or the user) and 404 mean there is nothing left to do."""
        url = f"{self._events_url(calendar_id)}/{quote(remote_id, safe='')}"
        response = self._call("DELETE", url, tokens)
        if not response.is_success and response.status_code not in (404, 410):
            raise ProviderError(
                f"Google Calendar refused to remove the event ({response.status_code}).",
                permanent=True,
                provider=self.name,
            )
