"""Push subscription bodies: what PushSubscription.toJSON() gives, plus a device label."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from salesos.api.schemas import Output, StrictInput


class SubscriptionKeys(StrictInput):
    p256dh: str = Field(min_length=80, max_length=200, pattern=r"^[A-Za-z0-9_-]+=*$")
    auth: str = Field(min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")


class SubscriptionIn(StrictInput):
    endpoint: str = Field(min_length=10, max_length=1000)
    # Browsers send it (null for most); accepted and ignored: push services expire subscriptions themselves.
    expirationTime: int | None = None  # the browser's own field name
    keys: SubscriptionKeys
    label: str = Field(default="This device", min_length=1, max_length=120)


class SubscriptionOut(Output):
    id: uuid.UUID
    label: str
    endpoint_host: str
    created_at: datetime
    last_push_at: datetime | None
    last_error: str | None


class PushKeyOut(Output):
    """The ``applicationServerKey`` browsers subscribe with."""

    public_key: str


class TestPushOut(Output):
    devices: int
