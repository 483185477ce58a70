"""Web Push: VAPID keys, payload encryption (aes128gcm) and delivery to the browsers' push services."""

from salesos.integrations.push.base import (
    PushMessage,
    PushProvider,
    PushResult,
    PushTarget,
    get_push_provider,
)

__all__ = ["PushMessage", "PushProvider", "PushResult", "PushTarget", "get_push_provider"]
