"""The realtime hub contract: events, per-client subscriptions, local fan-out and Last-Event-ID replay.

Concrete hubs (``MemoryHub``, ``RedisHub``) only differ in how a published event reaches
``Hub._dispatch``; everything after that (per-org fan-out, bounded client queues, the replay
buffer) lives here and runs on the event loop the hub was started on, so it needs no locks.

Policies:
- A client whose queue (``sse_queue_size``) overflows is disconnected, not slowed down: publishers
  and other clients never wait, and the browser's EventSource reconnects with its Last-Event-ID.
- Ids are ``"<epoch>-<seq>"`` with seq consecutive per org, so a resume is either exact (replayed
  from the last ``replay_size`` events) or answered with one ``resync`` event (refetch the page).
"""

from __future__ import annotations

import abc
import asyncio
import json
import re
import threading
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cached_property
from typing import Any

import structlog

from salesos.config import get_settings
from salesos.realtime.replay import Replay

log = structlog.get_logger(__name__)

RESYNC = "resync"
"""Sent when the hub cannot prove the client missed nothing; the client should refetch what it shows."""

MAX_HINT_BYTES = 2048
# Names become an SSE ``event:`` line; a newline would let data forge extra frames.
EVENT_NAME = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}$")


class SubscriptionClosed(Exception):
    """The subscription ended: the client was too slow, the hub stopped, or it was closed."""


@dataclass(frozen=True)
class Event:
    """One realtime hint: ``id`` is ``"<epoch>-<seq>"`` (seq consecutive per org), None for resync."""

    id: str | None
    event: str
    data: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def sse_frame(self) -> bytes:
        """This event as one SSE frame (``id:``, ``event:``, one-line JSON ``data:``), encoded once.

        Cached because one event goes to every stream of its org: formatting it per client cost
        more than the fan-out itself (docs/benchmarks.md, P4).
        """
        lines = [] if self.id is None else [f"id: {self.id}"]
        lines.append(f"event: {self.event}")
        lines.append("data: " + json.dumps(self.data, separators=(",", ":")))
        return ("\n".join(lines) + "\n\n").encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime | date | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"realtime hint values must be JSON scalars or ids, got {type(value).__name__}")


def encode_hint(event: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Validate a hint and return it as plain JSON types (ids become strings), exactly as clients see it."""
    if not EVENT_NAME.match(event):
        raise ValueError(f"invalid realtime event name {event!r}")
    text = json.dumps(data, default=_json_default, separators=(",", ":"))
    # Hints tell a page what to refetch; bodies (messages, notes) stay behind the authenticated API.
    if len(text) > MAX_HINT_BYTES:
        raise ValueError(f"realtime hint {event!r} is {len(text)} bytes; send ids, not content")
    return event, json.loads(text)


class Subscription:
    """One client's view of one org: an async iterator of ``Event`` with a bounded queue."""

    def __init__(self, hub: Hub, org_id: uuid.UUID, maxsize: int, backlog: list[Event]) -> None:
        self.org_id = org_id
        self.closed_reason: str | None = None
        self._hub = hub
        self._backlog = deque(backlog)
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=maxsize)

    @property
    def closed(self) -> bool:
        """True once the subscription ended (see ``closed_reason``)."""
        return self.closed_reason is not None

    async def get(self, timeout: float | None = None) -> Event | None:
        """The next event, or None after *timeout* seconds; raises SubscriptionClosed once closed."""
        if self._backlog:
            return self._backlog.popleft()
        if self.closed:
            raise SubscriptionClosed(self.closed_reason)
        if not self._queue.empty():
            # During a burst most calls find an event waiting: skip arming and cancelling a timer.
            item = self._queue.get_nowait()
        else:
            try:
                async with asyncio.timeout(timeout):
                    item = await self._queue.get()
            except TimeoutError:
                return None
        if item is None:
            raise SubscriptionClosed(self.closed_reason)
        return item

    def close(self) -> None:
        """Stop receiving; safe to call twice (must run on the hub's loop)."""
        self._terminate("closed")

    def _offer(self, event: Event) -> bool:
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    def _terminate(self, reason: str) -> None:
        if self.closed:
            return
        self.closed_reason = reason
        self._hub._unsubscribe(self)
        # Queued events are discarded: a dropped client reconnects and catches up by Last-Event-ID.
        while not self._queue.empty():
            self._queue.get_nowait()
        self._backlog.clear()
        self._queue.put_nowait(None)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        try:
            event = await self.get()
        except SubscriptionClosed:
            raise StopAsyncIteration from None
        assert event is not None  # no timeout given
        return event

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.close()


class Hub(abc.ABC):
    """Publish hints from any thread; stream them to this process's subscribers of the same org."""

    def __init__(self, *, queue_size: int = 100, replay_size: int = 100, replay_orgs: int = 1000) -> None:
        self.queue_size = queue_size
        self.replay_size = replay_size
        # Every process sees every org's events (Redis fan-out); cap how many orgs it remembers.
        self.replay_orgs = replay_orgs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: dict[uuid.UUID, set[Subscription]] = {}
        self._replay: OrderedDict[uuid.UUID, Replay] = OrderedDict()

    @abc.abstractmethod
    def publish(self, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
        """Send a hint to every subscriber of *org_id* in every process; never blocks on clients."""

    async def start(self) -> None:
        """Bind to the running event loop (call from the app lifespan)."""
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        """End every subscription (open streams finish) and unbind from the loop."""
        self._close_all("stopped")
        self._loop = None

    def subscribe(self, org_id: uuid.UUID, last_event_id: str | None = None) -> Subscription:
        """Start receiving *org_id*'s events, first replaying those after *last_event_id* (if given)."""
        if self._loop is None or asyncio.get_running_loop() is not self._loop:
            raise RuntimeError("realtime hub is not started on this event loop; await hub.start() first")
        backlog: list[Event] = []
        if last_event_id is not None:
            replay = self._replay.get(org_id)
            missed = replay.after(last_event_id) if replay else None
            backlog = missed if missed is not None else [self._resync_event(org_id)]
        subscription = Subscription(self, org_id, self.queue_size, backlog)
        self._subscribers.setdefault(org_id, set()).add(subscription)
        return subscription

    def subscriber_count(self, org_id: uuid.UUID | None = None) -> int:
        """Open subscriptions in this process, for one org or all (approximate from other threads)."""
        if org_id is not None:
            return len(self._subscribers.get(org_id, ()))
        return sum(len(subs) for subs in list(self._subscribers.values()))

    def disconnect_all(self) -> None:
        """End every open stream now (thread-safe), e.g. when the server starts shutting down."""
        loop = self._loop
        if loop is None:
            return
        if self._on_loop():
            self._close_all("stopped")
        else:
            loop.call_soon_threadsafe(self._close_all, "stopped")

    # -- loop-side machinery shared by every hub ------------------------------------------------

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _dispatch(self, org_id: uuid.UUID, event: Event) -> None:
        """Record *event* for replay and hand it to the org's subscribers (runs on the hub's loop)."""
        replay = self._replay.get(org_id)
        if replay is None:
            replay = self._replay[org_id] = Replay(self.replay_size)
            if len(self._replay) > self.replay_orgs:
                self._replay.popitem(last=False)
        else:
            self._replay.move_to_end(org_id)
        replay.record(event)
        for subscription in list(self._subscribers.get(org_id, ())):
            if not subscription._offer(event):
                # Dropping the slow client keeps publishers and other clients unaffected; its
                # EventSource reconnects and resumes from its Last-Event-ID.
                log.warning("realtime_client_dropped", org_id=str(org_id), queue_size=self.queue_size)
                subscription._terminate("overflow")

    def _resync_all(self) -> None:
        """Tell every subscriber to refetch: events may have been lost (e.g. a pub/sub reconnect)."""
        self._replay.clear()
        for org_id, subscriptions in list(self._subscribers.items()):
            for subscription in list(subscriptions):
                if not subscription._offer(self._resync_event(org_id)):
                    subscription._terminate("overflow")

    def _resync_event(self, org_id: uuid.UUID) -> Event:
        replay = self._replay.get(org_id)
        # Carrying the newest known id lets the client's next reconnect replay from here.
        return Event(replay.newest_id if replay else None, RESYNC, {})

    def _unsubscribe(self, subscription: Subscription) -> None:
        subscriptions = self._subscribers.get(subscription.org_id)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self._subscribers[subscription.org_id]

    def _close_all(self, reason: str) -> None:
        for subscriptions in list(self._subscribers.values()):
            for subscription in list(subscriptions):
                subscription._terminate(reason)


_hub: Hub | None = None
_hub_lock = threading.Lock()


def get_hub() -> Hub:
    """The process-wide hub: Redis pub/sub when SALESOS_REDIS_URL is set, in-memory otherwise."""
    global _hub
    with _hub_lock:
        if _hub is None:
            settings = get_settings()
            # Imported here: both modules subclass Hub, defined above.
            if settings.redis_url:
                from salesos.realtime.redis_hub import RedisHub

                # queue_name isolates deployments sharing one Redis: channels and seq keys too.
                _hub = RedisHub(
                    settings.redis_url, prefix=settings.queue_name, queue_size=settings.sse_queue_size
                )
            else:
                from salesos.realtime.memory import MemoryHub

                _hub = MemoryHub(queue_size=settings.sse_queue_size)
        return _hub


def set_hub(hub: Hub | None) -> None:
    """Replace the process hub (tests); None rebuilds it from the settings on next use."""
    global _hub
    with _hub_lock:
        _hub = hub
