"""Notification pages: the bell fragment, the notification centre, and Settings → Notifications."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from salesos.auth.deps import UserPrincipal
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.errors import ValidationFailed
from salesos.leads import board
from salesos.notifications import push
from salesos.notifications import service as notification_service
from salesos.notifications.registry import TYPES
from salesos.notifications.schemas import PreferenceIn
from salesos.web.pages import page, see_other
from salesos.web.templating import render, templates

router = APIRouter(include_in_schema=False)
# The same filters the lead pages use (registered here too, so these pages don't depend on import order).
templates.env.filters.setdefault("initials", board.initials)
templates.env.filters.setdefault("local_time", board.local_time)
CHANNELS = ("in_app", "push", "email_digest")


def _user(principal: UserPrincipal) -> uuid.UUID:
    assert principal.user_id is not None  # UserPrincipal refuses API keys
    return principal.user_id


@router.get("/notifications/bell", response_class=HTMLResponse)
def bell(request: Request, principal: UserPrincipal, session: DbSession) -> Response:
    """The bell's link with the current unread count (refetched when a realtime hint says so)."""
    count = notification_service.unread_count(session, _user(principal))
    response = render(request, "notifications/_bell.html", {"notifications_unread": count})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/notifications", response_class=HTMLResponse)
def centre(
    request: Request, principal: UserPrincipal, session: DbSession, unread: str = "", cursor: str = ""
) -> Response:
    """The caller's notifications, newest first; "Unread" shows only the unread ones."""
    unread_only = unread == "1"
    listed = notification_service.list_page(
        session, _user(principal), unread_only=unread_only, limit=DEFAULT_LIMIT, cursor=cursor or None
    )
    context: dict[str, Any] = {"page": listed, "unread_only": unread_only, "has_cursor": bool(cursor)}
    return page(request, session, principal, "notifications/centre.html", context)


@router.post("/notifications/read-all", response_class=HTMLResponse)
def read_all(principal: UserPrincipal, session: DbSession) -> Response:
    """Mark everything read and come back to the centre."""
    notification_service.mark_all_read(session, _user(principal))
    return see_other("/notifications")


@router.post("/notifications/{notification_id}/open", response_class=HTMLResponse)
def open_notification(notification_id: uuid.UUID, principal: UserPrincipal, session: DbSession) -> Response:
    """Mark a notification read and go where it points (its lead, or the import it reports)."""
    notification = notification_service.mark_read(session, _user(principal), notification_id)
    return see_other(notification_service.url_of(notification) or "/notifications")


def _settings_page(
    request: Request, principal: UserPrincipal, session: DbSession, **ctx: Any
) -> HTMLResponse:
    prefs = notification_service.preferences(session, _user(principal))
    return page(request, session, principal, "notifications/settings.html", {"prefs": prefs, **ctx})


@router.get("/settings/notifications", response_class=HTMLResponse)
def settings_page(
    request: Request, principal: UserPrincipal, session: DbSession, saved: str = ""
) -> Response:
    """Per-type channels: in-app now; Web Push and the daily digest are stored for a later step."""
    notice = "Your notification settings were saved." if saved else None
    return _settings_page(request, principal, session, notice=notice)


async def checked_boxes(request: Request) -> set[str]:
    """Names of the form's checked boxes (async: reading the body needs the event loop)."""
    return {str(name) for name in (await request.form())}


@router.post("/settings/notifications", response_class=HTMLResponse)
def save_settings(
    request: Request,
    principal: UserPrincipal,
    session: DbSession,
    checked: Annotated[set[str], Depends(checked_boxes)],
) -> Response:
    """Save the checkboxes: a checked box is on, a missing one off; unsupported channels keep theirs."""
    return _save(request, principal, session, checked)


def _save(request: Request, principal: UserPrincipal, session: DbSession, checked: set[str]) -> Response:
    user_id = _user(principal)
    current = {p.type: p for p in notification_service.preferences(session, user_id)}
    changes = []
    for name, kind in TYPES.items():
        supported = {"in_app": True, "push": kind.push, "email_digest": kind.digest}
        values = {
            channel: (f"{name}.{channel}" in checked)
            if supported[channel]
            else getattr(current[name], channel)
            for channel in CHANNELS
        }
        changes.append(PreferenceIn(type=name, **values))
    try:
        notification_service.save_preferences(session, user_id, changes)
    except ValidationFailed as exc:  # pragma: no cover - the form only names registered types
        return _settings_page(request, principal, session, notice=exc.detail, error=True)
    return see_other("/settings/notifications?saved=1")


@router.post("/notifications/snooze/{token}", status_code=204)
def snooze(token: Annotated[str, Path(max_length=2000)], session: DbSession) -> Response:
    """ "Snooze 1 h" on a push notification: the signed token is the only credential needed."""
    push.snooze(session, token)
    return Response(status_code=204)
