"""Notifications as Web Push messages: the payload the service worker shows, and "Snooze 1 h".

A snooze address carries a signed, single-purpose token (the notification, the device, the org), so the
service worker can call it without the session cookie or a CSRF token; it can only re-send that one
notification to that one device, an hour later.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import jwt
from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import set_tenant
from salesos.errors import NotFound
from salesos.integrations.push.base import Urgency
from salesos.jobs import enqueue
from salesos.leads.repository import LeadRepository
from salesos.notifications.repository import NotificationRepository
from salesos.notifications.service import one
from salesos.push.service import deliver

SNOOZE_AUDIENCE = "salesos:push-snooze"
SNOOZE = timedelta(hours=1)
# A snooze link works for a week: after that the notification is old news.
SNOOZE_LINK_LIFETIME = timedelta(days=7)
# Reminders are time-critical; everything else may wait for the device's next wake-up.
URGENT_TYPES = frozenset({"task_due"})


def snooze_token(org_id: uuid.UUID, subscription_id: uuid.UUID, notification_id: uuid.UUID) -> str:
    """The signed token of a snooze address."""
    claims = {
        "aud": SNOOZE_AUDIENCE,
        "o": str(org_id),
        "s": str(subscription_id),
        "n": str(notification_id),
        "exp": int(time.time() + SNOOZE_LINK_LIFETIME.total_seconds()),
    }
    return jwt.encode(claims, get_settings().secret_key, algorithm="HS256")


def _phone(session: Session, lead_id: uuid.UUID | None) -> str | None:
    lead = LeadRepository(session).get(lead_id) if lead_id else None
    contact = lead.primary_contact if lead else None
    if contact is None or contact.do_not_contact or not contact.phone:
        return None
    return contact.phone


def payload(
    session: Session, subscription_id: uuid.UUID, notification_id: uuid.UUID
) -> dict[str, Any] | None:
    """What the service worker shows for one notification (None once it is read or gone)."""
    stored = NotificationRepository(session).get(notification_id)
    if stored is None or stored.read_at is not None:
        return None
    shown = one(session, stored.user_id, stored.id)
    data: dict[str, Any] = {
        "title": "SalesOS",
        "body": shown.text,
        "url": shown.url or "/notifications",
        "tag": f"notification-{shown.id}",
        "notification_id": str(shown.id),
        "type": shown.type,
        "snooze_url": f"/notifications/snooze/{snooze_token(stored.org_id, subscription_id, stored.id)}",
    }
    phone = _phone(session, stored.lead_id)
    if phone:
        data["phone"] = phone
    return data


def send(session: Session, subscription_id: uuid.UUID, notification_id: uuid.UUID) -> None:
    """Push one notification to one device, unless it was read meanwhile."""
    data = payload(session, subscription_id, notification_id)
    if data is None:
        return
    urgency = Urgency.HIGH if data["type"] in URGENT_TYPES else Urgency.NORMAL
    deliver(session, subscription_id, data, urgency=urgency, ttl_seconds=24 * 3600, topic=data["tag"][-32:])


def snooze(session: Session, token: str) -> None:
    """Re-send the token's notification to its device in an hour (NotFound for any bad token)."""
    try:
        claims = jwt.decode(token, get_settings().secret_key, algorithms=["HS256"], audience=SNOOZE_AUDIENCE)
        org_id, subscription_id = uuid.UUID(claims["o"]), uuid.UUID(claims["s"])
        notification_id = uuid.UUID(claims["n"])
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise NotFound("Nothing to snooze.") from exc
    set_tenant(session, org_id)
    if NotificationRepository(session).get(notification_id) is None:
        raise NotFound("Nothing to snooze.")
    due = utcnow() + SNOOZE
    enqueue(
        session,
        "notifications.push",
        # Tapping snooze twice within the hour schedules one re-send, not two.
        dedup_key=f"push-snooze:{notification_id}:{subscription_id}:{int(due.timestamp()) // 3600}",
        run_at=due,
        org_id=org_id,
        subscription_id=subscription_id,
        notification_id=notification_id,
    )
