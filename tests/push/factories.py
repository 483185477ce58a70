"""Push objects for the isolation battery's id factories (tests/support/world.py)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from salesos.push.models import PushSubscription
from salesos.push.repository import PushSubscriptionRepository

if TYPE_CHECKING:
    from tests.support.world import World


def subscription_id(session: Session, world: World) -> uuid.UUID:
    """Id of a device of Alice's in org A (stored directly: no push service is involved)."""
    device = PushSubscription(
        user_id=world.alice.user_id,
        endpoint="https://fcm.googleapis.com/fcm/send/acme-alpha-device",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
        label="Acme Alpha laptop",
    )
    return PushSubscriptionRepository(session).add(device).id
