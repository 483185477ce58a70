"""Web Push over HTTP: payloads encrypted by pywebpush (aes128gcm, RFC 8291), posted with httpx and VAPID."""

from __future__ import annotations

from fnmatch import fnmatch
from urllib.parse import urlsplit

import httpx
from pywebpush import WebPusher, WebPushException

from salesos.config import Settings
from salesos.integrations.base import ProviderError
from salesos.integrations.push import vapid
from salesos.integrations.push.base import PushMessage, PushProvider, PushResult, PushTarget

# The browsers' push services. A subscription naming any other host is refused: the endpoint comes from
# a client, and posting to wherever it points would let anyone aim this server at internal addresses.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
TIMEOUT_SECONDS = 10.0


def endpoint_allowed(endpoint: str, settings: Settings) -> bool:
    """True for https endpoints of a known push service, or any endpoint on a configured extra host."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    extra = {h.strip().lower() for h in settings.push_extra_hosts.split(",") if h.strip()}
    if host in extra:
        return parts.scheme in {"http", "https"}
    return parts.scheme == "https" and any(fnmatch(host, pattern) for pattern in PUSH_SERVICE_HOSTS)


class WebPushProvider(PushProvider):
    name = "webpush"

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def _encrypt(self, target: PushTarget, payload: bytes) -> bytes:
        subscription = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        try:
            return bytes(WebPusher(subscription).encode(payload, content_encoding="aes128gcm")["body"])
        except (WebPushException, ValueError, TypeError) as exc:
            raise ProviderError(
                "The subscription's keys are not usable.", permanent=True, provider=self.name
            ) from exc

    def send(self, target: PushTarget, message: PushMessage) -> PushResult:
        """Post one encrypted message; 404/410 mean the subscription is gone."""
        if not endpoint_allowed(target.endpoint, self.settings):
            raise ProviderError("Not a known push service.", permanent=True, provider=self.name)
        headers = {
            "TTL": str(message.ttl_seconds),
            "Urgency": message.urgency.value,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "Authorization": vapid.authorization(target.endpoint, self.settings),
        }
        if message.topic:
            headers["Topic"] = message.topic
        body = self._encrypt(target, message.payload)
        try:
            response = self.client.post(target.endpoint, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Push service unreachable: {type(exc).__name__}", provider=self.name
            ) from exc
        if response.status_code in (404, 410):
            return PushResult.GONE
        if response.is_success:
            return PushResult.DELIVERED
        # 429 and 5xx pass; anything else (400 bad request, 401/403 VAPID refused, 413 too big) won't.
        transient = response.status_code == 429 or response.status_code >= 500
        raise ProviderError(
            f"Push service answered {response.status_code}.", permanent=not transient, provider=self.name
        )
