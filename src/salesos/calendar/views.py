"""Calendar HTML: the settings page with the feed address, and the feed itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from salesos.auth.deps import UserPrincipal
from salesos.auth.repository import UserRepository
from salesos.calendar import service as calendar
from salesos.calendar import sync
from salesos.calendar.ics import render_feed
from salesos.calendar.repository import CalendarConnectionRepository
from salesos.config import get_settings
from salesos.db.deps import DbSession
from salesos.errors import NotFound
from salesos.integrations.calendar.base import get_calendar_provider
from salesos.web.pages import page, see_other

router = APIRouter(include_in_schema=False)
NOTICES = {
    "new": "Your calendar address changed. Subscribe to the new one; the old one no longer works.",
    "google": "Google Calendar is connected: calls you schedule from now on appear there.",
    "google-off": "Google Calendar is disconnected. Calls already there stay.",
}
ERRORS = {"google-denied": "Google Calendar was not connected: access was not granted."}


@router.get("/settings/calendar", response_class=HTMLResponse)
def calendar_settings(
    request: Request, principal: UserPrincipal, session: DbSession, done: str = ""
) -> Response:
    """Your secret calendar feed address and how to subscribe to it."""
    url = calendar.feed_url(calendar.current_feed_token(session, principal.user_id))  # type: ignore[arg-type]
    webcal = "webcal://" + url.split("://", 1)[1] if url else None
    provider = get_calendar_provider()
    connection = (
        CalendarConnectionRepository(session).of_user(principal.user_id, provider.name)  # type: ignore[arg-type]
        if provider
        else None
    )
    context = {
        "feed_url": url,
        "webcal_url": webcal,
        "notice": NOTICES.get(done),
        "error": ERRORS.get(done),
        "provider": provider,
        "connection": connection,
    }
    return page(request, session, principal, "calendar/settings.html", context)


@router.get("/settings/calendar/google/connect")
def google_connect(principal: UserPrincipal) -> Response:
    """Off to Google's consent page."""
    return RedirectResponse(sync.connect_url(principal), status_code=303)


@router.get("/settings/calendar/google/callback")
def google_callback(
    principal: UserPrincipal,
    session: DbSession,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=2000)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Google sends the user back here with a code (or an error, when they declined)."""
    if error or not code:
        return see_other("/settings/calendar?done=google-denied")
    sync.complete_connect(session, principal, code=code, state=state)
    return see_other("/settings/calendar?done=google")


@router.post("/settings/calendar/google/disconnect")
def google_disconnect(principal: UserPrincipal, session: DbSession) -> Response:
    """Stop pushing calls to Google Calendar."""
    sync.disconnect(session, principal.user_id)  # type: ignore[arg-type]
    return see_other("/settings/calendar?done=google-off")


@router.post("/settings/calendar/feed")
def new_feed(principal: UserPrincipal, session: DbSession) -> Response:
    """Make the feed address, or a new one that revokes the old."""
    had_one = calendar.current_feed_token(session, principal.user_id) is not None  # type: ignore[arg-type]
    calendar.new_feed_token(session, principal.user_id)  # type: ignore[arg-type]
    return see_other("/settings/calendar" + ("?done=new" if had_one else ""))


@router.api_route("/calendar/feed/{token}.ics", methods=["GET", "HEAD"])
def feed(token: str, session: DbSession) -> Response:
    """The ICS document calendar apps poll. The token is the only credential, so any miss is a plain 404."""
    if len(token) > 200:
        raise NotFound("Calendar not found.")
    user_id, events = calendar.feed_events(session, token)
    user = UserRepository(session).get(user_id)
    name = f"SalesOS: {user.name}" if user else "SalesOS"
    body = render_feed(events, calendar_name=name, base_url=get_settings().base_url)
    headers = {
        "Content-Disposition": 'inline; filename="salesos.ics"',
        # The address is a secret: shared caches must not keep it.
        "Cache-Control": "private, max-age=300",
        "X-Robots-Tag": "noindex",
    }
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
