"""The push provider interface and its selection from settings."""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass

from salesos.config import get_settings


class Urgency(enum.StrEnum):
    """RFC 8030 urgency: how eagerly the push service wakes a device on battery."""

    VERY_LOW = "very-low"
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True)
class PushTarget:
    """One browser's subscription: where to post, and the keys its payloads are encrypted to."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushMessage:
    """What the service worker receives (as JSON) and how long the push service may hold it."""

    payload: bytes
    ttl_seconds: int = 3600
    urgency: Urgency = Urgency.NORMAL
    # Replaces an undelivered message with the same topic (RFC 8030 Topic).
    topic: str | None = None


class PushResult(enum.Enum):
    DELIVERED = "delivered"
    # 404/410: the browser unsubscribed or the subscription expired; delete it.
    GONE = "gone"


class PushProvider(abc.ABC):
    """Delivers push messages; raises ``ProviderError`` (permanent or not) on other failures."""

    name: str

    @abc.abstractmethod
    def send(self, target: PushTarget, message: PushMessage) -> PushResult:
        """Encrypt and post *message* to *target*'s push service."""


def get_push_provider() -> PushProvider:
    """The provider configured by SALESOS_PUSH_PROVIDER (Web Push by default; "log" sends nothing)."""
    settings = get_settings()
    if settings.push_provider == "log":
        from salesos.integrations.push.log import LogPushProvider

        return LogPushProvider()
    from salesos.integrations.push.webpush import WebPushProvider

    return WebPushProvider(settings)
