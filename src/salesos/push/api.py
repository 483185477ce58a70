"""Push JSON API: the server key, your devices, and a test notification."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from salesos.auth.deps import UserPrincipal
from salesos.db.deps import DbSession
from salesos.integrations.push import vapid
from salesos.push import schemas, service
from salesos.push.models import PushSubscription
from salesos.push.repository import PushSubscriptionRepository

router = APIRouter(tags=["push"])


def _out(subscription: PushSubscription) -> schemas.SubscriptionOut:
    return schemas.SubscriptionOut(
        id=subscription.id,
        label=subscription.label,
        endpoint_host=service.endpoint_host(subscription),
        created_at=subscription.created_at,
        last_push_at=subscription.last_push_at,
        last_error=subscription.last_error,
    )


@router.get("/push/key", response_model=schemas.PushKeyOut)
def push_key(principal: UserPrincipal) -> schemas.PushKeyOut:
    """The VAPID public key to pass as ``applicationServerKey`` to ``pushManager.subscribe``."""
    return schemas.PushKeyOut(public_key=vapid.application_server_key())


@router.get("/push/subscriptions", response_model=list[schemas.SubscriptionOut])
def list_subscriptions(principal: UserPrincipal, session: DbSession) -> list[schemas.SubscriptionOut]:
    """Your devices that receive notifications."""
    devices = PushSubscriptionRepository(session).of_user(principal.user_id)  # type: ignore[arg-type]
    return [_out(d) for d in devices]


@router.post(
    "/push/subscriptions", status_code=status.HTTP_201_CREATED, response_model=schemas.SubscriptionOut
)
def subscribe(
    body: schemas.SubscriptionIn, principal: UserPrincipal, session: DbSession
) -> schemas.SubscriptionOut:
    """Register this browser's push subscription (``PushSubscription.toJSON()`` plus a label)."""
    return _out(service.subscribe(session, principal, body))


@router.delete("/push/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
def unsubscribe(subscription_id: uuid.UUID, principal: UserPrincipal, session: DbSession) -> None:
    """Stop sending notifications to one of your devices."""
    service.unsubscribe(session, service.own_subscription_or_404(session, principal, subscription_id))


@router.post("/push/test", status_code=status.HTTP_202_ACCEPTED, response_model=schemas.TestPushOut)
def send_test(principal: UserPrincipal, session: DbSession) -> schemas.TestPushOut:
    """Send a test notification to each of your devices."""
    return schemas.TestPushOut(devices=service.send_test(session, principal))
