"""Background work of the push domain: one delivery per job and device."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.jobs import job
from salesos.push.service import deliver

TEST_PAYLOAD = {
    "title": "SalesOS",
    "body": "Notifications work on this device.",
    "url": "/settings/push",
    "tag": "salesos-test",
}


@job("push.send_test")
def send_test(session: Session, *, org_id: uuid.UUID, subscription_id: uuid.UUID) -> None:
    """A test notification to one device."""
    deliver(session, subscription_id, TEST_PAYLOAD, ttl_seconds=600, topic="salesos-test")
