"""Notifications JSON API: the caller's own notifications and channel preferences."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from salesos.api.schemas import Cursor, Limit, PageOut, json_response
from salesos.auth.deps import UserPrincipal
from salesos.db.deps import DbSession
from salesos.db.pagination import DEFAULT_LIMIT
from salesos.notifications import schemas
from salesos.notifications import service as notification_service

router = APIRouter(tags=["notifications"])


def _user(principal: UserPrincipal) -> uuid.UUID:
    assert principal.user_id is not None  # UserPrincipal refuses API keys
    return principal.user_id


@router.get("/notifications", response_model=PageOut[schemas.NotificationOut])
def list_notifications(
    principal: UserPrincipal,
    session: DbSession,
    unread: Annotated[bool, Query(description="Only unread notifications")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """The caller's notifications, newest first."""
    page = notification_service.list_page(
        session, _user(principal), unread_only=unread, limit=limit, cursor=cursor
    )
    return json_response(PageOut[schemas.NotificationOut](items=page.items, next_cursor=page.next_cursor))


@router.get("/notifications/unread-count", response_model=schemas.UnreadCountOut)
def unread_count(principal: UserPrincipal, session: DbSession) -> schemas.UnreadCountOut:
    """How many of the caller's notifications are unread (the bell's number)."""
    return schemas.UnreadCountOut(unread=notification_service.unread_count(session, _user(principal)))


@router.post("/notifications/read-all", response_model=schemas.ReadAllOut)
def read_all(principal: UserPrincipal, session: DbSession) -> schemas.ReadAllOut:
    """Mark every notification of the caller read."""
    marked = notification_service.mark_all_read(session, _user(principal))
    return schemas.ReadAllOut(marked=marked, unread=0)


@router.get("/notifications/preferences", response_model=schemas.PreferencesOut)
def get_preferences(principal: UserPrincipal, session: DbSession) -> schemas.PreferencesOut:
    """Every notification type with the caller's channels (in-app, push, daily email digest)."""
    return schemas.PreferencesOut(items=notification_service.preferences(session, _user(principal)))


@router.put("/notifications/preferences", response_model=schemas.PreferencesOut)
def put_preferences(
    body: schemas.PreferencesIn, principal: UserPrincipal, session: DbSession
) -> schemas.PreferencesOut:
    """Save the caller's channels for the listed types; types left out keep theirs."""
    items = notification_service.save_preferences(session, _user(principal), body.preferences)
    return schemas.PreferencesOut(items=items)


@router.post("/notifications/{notification_id}/read", response_model=schemas.NotificationOut)
def read_one(notification_id: uuid.UUID, principal: UserPrincipal, session: DbSession) -> Response:
    """Mark one of the caller's notifications read; someone else's answers 404."""
    user_id = _user(principal)
    notification_service.mark_read(session, user_id, notification_id)
    return json_response(notification_service.one(session, user_id, notification_id))
