"""Server-Sent Events: turn one org's hub subscription into a ``text/event-stream`` response."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import structlog
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from salesos.config import get_settings
from salesos.realtime.hub import Event, Hub, Subscription, SubscriptionClosed, get_hub

log = structlog.get_logger(__name__)

# How long a browser's EventSource waits before reconnecting after the stream ends.
RETRY_MILLISECONDS = 3000
MAX_LAST_EVENT_ID = 100
KEEPALIVE = b": keepalive\n\n"
SSE_HEADERS = {
    "Cache-Control": "no-cache",
    # nginx buffers proxied responses by default, which would hold events back indefinitely.
    "X-Accel-Buffering": "no",
}


def format_event(event: Event) -> str:
    """One SSE frame: ``id:`` (when the event has one), ``event:`` and a single-line JSON ``data:``."""
    return event.sse_frame.decode()


class EventStreamResponse(StreamingResponse):
    """A streaming response that always releases its subscription, however the stream ends."""

    def __init__(self, content: AsyncIterator[bytes], subscription: Subscription) -> None:
        super().__init__(content, media_type="text/event-stream", headers=SSE_HEADERS)
        self.subscription = subscription

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # On ASGI 2.4 servers a failed send raises out of the loop, leaving the generator
            # suspended; close both here instead of waiting for garbage collection.
            self.subscription.close()
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()


async def _frames(subscription: Subscription, request: Request, heartbeat: float) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
        while True:
            try:
                event = await subscription.get(timeout=heartbeat)
            except SubscriptionClosed:
                # Dropped for being slow, or the server is stopping: ending the stream makes the
                # browser reconnect (after RETRY_MILLISECONDS) with its Last-Event-ID.
                log.info(
                    "sse_stream_ended", org_id=str(subscription.org_id), reason=subscription.closed_reason
                )
                return
            if event is not None:
                yield event.sse_frame
            # A vanished client is looked for only when idle: while events flow, StreamingResponse's
            # disconnect listener (ASGI <= 2.3) or a failing send (2.4) ends the stream anyway, and
            # asking per event cost more than sending the event (docs/benchmarks.md, P4).
            elif await request.is_disconnected():
                return
            else:
                # Comments keep proxies and load balancers from closing an idle connection.
                yield KEEPALIVE
    finally:
        subscription.close()


async def event_stream_response(
    org_id: uuid.UUID, request: Request, last_event_id: str | None = None, *, hub: Hub | None = None
) -> StreamingResponse:
    """Stream *org_id*'s events (after *last_event_id*, if given) until the client disconnects."""
    hub = hub or get_hub()
    if last_event_id is not None:
        last_event_id = last_event_id.strip()[:MAX_LAST_EVENT_ID] or None
    # Subscribe before the response starts, so nothing published after the client sees the
    # headers can slip past it.
    subscription = hub.subscribe(org_id, last_event_id=last_event_id)
    heartbeat = get_settings().sse_heartbeat_seconds
    return EventStreamResponse(_frames(subscription, request, heartbeat), subscription)
