"""A push provider that only logs: for machines that can't reach the browsers' push services."""

from __future__ import annotations

import structlog

from salesos.integrations.push.base import PushMessage, PushProvider, PushResult, PushTarget

log = structlog.get_logger(__name__)


class LogPushProvider(PushProvider):
    name = "log"

    def send(self, target: PushTarget, message: PushMessage) -> PushResult:
        """Log that a push would have gone out (never its payload: it can name a lead)."""
        log.info("push_not_sent", endpoint_host=target.endpoint.split("/")[2], bytes=len(message.payload))
        return PushResult.DELIVERED
