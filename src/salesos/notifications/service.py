"""Notify members, list and read their notifications, and keep their channel preferences.

``notify`` writes in the caller's transaction (it flushes, never commits) and tells the recipients'
browsers after commit with a ``notification.created`` hint that carries only the recipient's id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Row
from sqlalchemy.orm import Session

from salesos.db.base import utcnow, uuid7
from salesos.db.pagination import Page
from salesos.db.session import current_tenant
from salesos.errors import NotFound, ValidationFailed
from salesos.leads.models import Lead
from salesos.notifications.models import Notification, NotificationPreference
from salesos.notifications.registry import TYPES, get_type
from salesos.notifications.repository import NotificationRepository, PreferenceRepository
from salesos.notifications.schemas import NotificationOut, PreferenceIn, PreferenceOut
from salesos.orgs.repository import MembershipRepository
from salesos.push.service import queue_push
from salesos.realtime.events import publish_after_commit

CREATED_EVENT = "notification.created"
READ_EVENT = "notification.read"
# What a type gets when its member saved nothing.
DEFAULT_IN_APP, DEFAULT_PUSH, DEFAULT_EMAIL_DIGEST = True, True, False


def notify(
    session: Session,
    recipients: Iterable[uuid.UUID | None],
    type_: str,
    *,
    lead: Lead | None = None,
    actor_id: uuid.UUID | None = None,
    **facts: Any,
) -> list[uuid.UUID]:
    """Notify *recipients* of *type_* (never the actor about their own action, nor anyone who is not an
    active member of the org); returns who got one.

    *facts* are small values (ids, names, counts) kept in the payload; never pass a message body.
    """
    kind = get_type(type_)  # an unknown type is a bug in the caller, not something to store
    wanted = list(dict.fromkeys(r for r in recipients if r is not None and r != actor_id))
    if not wanted:
        return []
    # Someone removed from the org (or deactivated) may still be named on its old leads and tasks: they
    # hear nothing more from it, neither here nor by Web Push.
    members = MembershipRepository(session).active_user_ids(wanted)
    wanted = [u for u in wanted if u in members]
    if not wanted:
        return []
    prefs = PreferenceRepository(session).for_users(wanted, type_)  # one query for everyone
    chosen = [u for u in wanted if (prefs[u].in_app if u in prefs else DEFAULT_IN_APP)]
    if not chosen:
        return []
    org_id = lead.org_id if lead is not None else current_tenant(session)
    payload = {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in facts.items()}
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "id": uuid7(),
            "user_id": user_id,
            "type": type_,
            "lead_id": lead.id if lead is not None else None,
            "actor_id": actor_id,
            "payload": payload,
            "created_at": now,
        }
        for user_id in chosen
    ]
    NotificationRepository(session).add_many(rows)
    for user_id in chosen:
        publish_after_commit(session, org_id, CREATED_EVENT, {"user_id": str(user_id)})
    if kind.push:
        pushed = {u for u in chosen if (prefs[u].push if u in prefs else DEFAULT_PUSH)}
        # One job per device, enqueued with the rows: a rollback sends nothing, a commit sends each once.
        queue_push(session, {r["user_id"]: r["id"] for r in rows if r["user_id"] in pushed})
    return chosen


def _url(row: Any) -> str | None:
    if row.lead_id is not None:
        return f"/leads/{row.lead_id}"
    payload = row.payload or {}
    if payload.get("owner_id"):  # about several leads (a bulk action): the list of the reader's leads
        query = {"owner_id": payload["owner_id"], "stage_id": payload.get("stage_id")}
        return "/leads/list?" + urlencode({k: v for k, v in query.items() if v})
    import_id = payload.get("import_id")
    return f"/leads/import/{import_id}" if import_id else None


def present(row: Row[Any]) -> NotificationOut:
    """A listed row as its reader sees it: worded, with where it leads."""
    kind = TYPES.get(row.type)
    payload = dict(row.payload or {})
    text = kind.describe(row.actor_name, row.lead_name, payload) if kind else row.type
    return NotificationOut(
        id=row.id,
        type=row.type,
        text=text,
        lead_id=row.lead_id,
        lead_name=row.lead_name,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        payload=payload,
        url=_url(row),
        read_at=row.read_at,
        created_at=row.created_at,
    )


def list_page(
    session: Session, user_id: uuid.UUID, *, unread_only: bool, limit: int, cursor: str | None
) -> Page[NotificationOut]:
    """One page of *user_id*'s notifications, newest first."""
    page = NotificationRepository(session).page(user_id, unread_only=unread_only, limit=limit, cursor=cursor)
    return Page(items=[present(row) for row in page.items], next_cursor=page.next_cursor)


def one(session: Session, user_id: uuid.UUID, notification_id: uuid.UUID) -> NotificationOut:
    """One of *user_id*'s notifications as listed; someone else's answers like a missing one."""
    row = NotificationRepository(session).listed(user_id, notification_id)
    if row is None:
        raise NotFound("Notification not found.")
    return present(row)


def unread_count(session: Session, user_id: uuid.UUID | None) -> int:
    """How many unread notifications *user_id* has (0 for an API key)."""
    return NotificationRepository(session).unread_count(user_id) if user_id is not None else 0


def notification_or_404(session: Session, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    """The caller's own notification; another member's or org's answers like a missing one."""
    found = NotificationRepository(session).own(user_id, notification_id)
    if found is None:
        raise NotFound("Notification not found.")
    return found


def mark_read(session: Session, user_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    """Mark one of the caller's notifications read (again: nothing changes)."""
    notification = notification_or_404(session, user_id, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.flush()
        publish_after_commit(session, notification.org_id, READ_EVENT, {"user_id": str(user_id)})
    return notification


def url_of(notification: Notification) -> str | None:
    """Where *notification* leads in the web app (its lead, or the import it reports)."""
    return _url(notification)


def mark_all_read(session: Session, user_id: uuid.UUID) -> int:
    """Mark every unread notification of the caller read; returns how many changed."""
    marked = NotificationRepository(session).mark_all_read(user_id, utcnow())
    if marked:
        publish_after_commit(session, current_tenant(session), READ_EVENT, {"user_id": str(user_id)})
    return marked


def preferences(session: Session, user_id: uuid.UUID) -> list[PreferenceOut]:
    """Every registered type with *user_id*'s channels (defaults where nothing was saved)."""
    stored = PreferenceRepository(session).of_user(user_id)
    items = []
    for kind in TYPES.values():
        pref = stored.get(kind.name)
        items.append(
            PreferenceOut(
                type=kind.name,
                label=kind.label,
                in_app=pref.in_app if pref else DEFAULT_IN_APP,
                push=pref.push if pref else DEFAULT_PUSH,
                email_digest=pref.email_digest if pref else DEFAULT_EMAIL_DIGEST,
                supports_push=kind.push,
                supports_digest=kind.digest,
            )
        )
    return items


def save_preferences(
    session: Session, user_id: uuid.UUID, changes: list[PreferenceIn]
) -> list[PreferenceOut]:
    """Store the caller's channels for the given types; an unknown type is refused, nothing written."""
    unknown = sorted({c.type for c in changes} - set(TYPES))
    if unknown:
        raise ValidationFailed(f"Unknown notification type: {', '.join(unknown)}.", field="preferences")
    repo = PreferenceRepository(session)
    stored = repo.of_user(user_id)
    for change in changes:
        pref = stored.get(change.type)
        if pref is None:
            pref = repo.add(NotificationPreference(user_id=user_id, type=change.type))
            stored[change.type] = pref
        pref.in_app, pref.push, pref.email_digest = change.in_app, change.push, change.email_digest
    session.flush()
    return preferences(session, user_id)
