"""Push rules: devices subscribe and unsubscribe; each delivery is one job per device, so a retry re-sends
to that device only."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from salesos.auth.principal import Principal
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.errors import NotFound, ValidationFailed
from salesos.integrations.base import ProviderError
from salesos.integrations.push import PushMessage, PushResult, PushTarget, get_push_provider
from salesos.integrations.push.base import Urgency
from salesos.integrations.push.webpush import endpoint_allowed
from salesos.integrations.usage import record_usage
from salesos.jobs import enqueue
from salesos.push.models import PushSubscription
from salesos.push.repository import PushSubscriptionRepository
from salesos.push.schemas import SubscriptionIn

# Browsers cap the payload (about 4 KB after encryption); ours are a title, a line and a link.
MAX_PAYLOAD_BYTES = 3000


def subscribe(session: Session, principal: Principal, data: SubscriptionIn) -> PushSubscription:
    """Remember this device for the caller; the same browser subscribing again just refreshes its keys."""
    if principal.user_id is None:
        raise ValidationFailed("Only a person can receive notifications.", field="endpoint")
    if not endpoint_allowed(data.endpoint, get_settings()):
        raise ValidationFailed("Not the address of a known push service.", field="endpoint")
    repo = PushSubscriptionRepository(session)
    existing = repo.by_endpoint(principal.user_id, data.endpoint)
    if existing is not None:
        existing.p256dh, existing.auth, existing.label = data.keys.p256dh, data.keys.auth, data.label
        existing.last_error = None
        session.flush()
        return existing
    subscription = PushSubscription(
        user_id=principal.user_id,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        label=data.label,
    )
    return repo.add(subscription)


def own_subscription_or_404(
    session: Session, principal: Principal, subscription_id: uuid.UUID
) -> PushSubscription:
    """One of the caller's devices; anyone else's is as unknown as a missing one."""
    subscription = PushSubscriptionRepository(session).get(subscription_id)
    if subscription is None or subscription.user_id != principal.user_id:
        raise NotFound("Device not found.")
    return subscription


def unsubscribe(session: Session, subscription: PushSubscription) -> None:
    """Forget a device: no more pushes go to it."""
    PushSubscriptionRepository(session).delete(subscription)


def endpoint_host(subscription: PushSubscription) -> str:
    """The push service a device uses, for the device list."""
    return urlsplit(subscription.endpoint).hostname or ""


def send_test(session: Session, principal: Principal) -> int:
    """Queue a test notification to each of the caller's devices; how many."""
    devices = PushSubscriptionRepository(session).of_user(principal.user_id) if principal.user_id else []
    for device in devices:
        enqueue(session, "push.send_test", org_id=device.org_id, subscription_id=device.id)
    return len(devices)


def queue_push(session: Session, notification_by_user: dict[uuid.UUID, uuid.UUID]) -> int:
    """Queue ``notifications.push`` for each device of each user, with that user's notification."""
    devices = PushSubscriptionRepository(session).of_users(set(notification_by_user))
    for device in devices:
        enqueue(
            session,
            "notifications.push",
            org_id=device.org_id,
            subscription_id=device.id,
            notification_id=notification_by_user[device.user_id],
        )
    return len(devices)


def deliver(
    session: Session,
    subscription_id: uuid.UUID,
    payload: dict[str, Any],
    *,
    urgency: Urgency = Urgency.NORMAL,
    ttl_seconds: int = 3600,
    topic: str | None = None,
) -> PushResult | None:
    """Send *payload* to one device (None if it is gone already); a gone device is deleted."""
    repo = PushSubscriptionRepository(session)
    subscription = repo.get(subscription_id)
    if subscription is None:
        return None
    body = json.dumps(payload, separators=(",", ":")).encode()
    if len(body) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"push payload of {len(body)} bytes is over {MAX_PAYLOAD_BYTES}")
    provider = get_push_provider()
    target = PushTarget(subscription.endpoint, subscription.p256dh, subscription.auth)
    try:
        result = provider.send(
            target, PushMessage(body, ttl_seconds=ttl_seconds, urgency=urgency, topic=topic)
        )
    except ProviderError as exc:
        subscription.last_error = str(exc)[:500]
        if exc.permanent:
            session.flush()
            return None  # kept (and shown with its error) so the user sees why this device is silent
        raise  # the job retries with backoff
    if result is PushResult.GONE:
        repo.delete(subscription)
        return result
    subscription.last_push_at, subscription.last_error = utcnow(), None
    record_usage(session, kind="push", provider=provider.name, operation="send")
    session.flush()
    return result
