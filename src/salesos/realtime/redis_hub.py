"""Redis pub/sub hub for the scale-out mode: any process publishes, every API process streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import threading
import uuid
from typing import Any

import redis
import redis.asyncio as aioredis
import structlog
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from salesos.realtime.hub import Event, Hub, encode_hint

log = structlog.get_logger(__name__)

# Numbering and publishing in one atomic script: seqs are consecutive per org and reach every
# subscriber in seq order, so any process can tell whether a client's Last-Event-ID left a gap.
# The epoch changes only if Redis loses the key (flush, no persistence): old ids then resync.
PUBLISH_SCRIPT = """
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local id = redis.call('HGET', KEYS[1], 'epoch') .. '-' .. seq
redis.call('PUBLISH', ARGV[2], id .. '\\n' .. ARGV[3])
return id
"""

BACKOFF_MIN_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0
POLL_SECONDS = 1.0


class RedisHub(Hub):
    """One ``PSUBSCRIBE <prefix>:org:*`` per process, re-established with backoff when it drops."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "salesos",
        queue_size: int = 100,
        replay_size: int = 100,
        replay_orgs: int = 1000,
        keepalive_seconds: float = 10.0,
        ready_timeout: float = 3.0,
    ) -> None:
        super().__init__(queue_size=queue_size, replay_size=replay_size, replay_orgs=replay_orgs)
        self.url = url
        self.prefix = prefix
        self.keepalive_seconds = keepalive_seconds
        self.ready_timeout = ready_timeout
        self.epoch = secrets.token_hex(4)
        # Named so an operator (or a test) can find this process's subscriber in CLIENT LIST.
        self.client_name = f"{prefix}-hub-{self.epoch}"
        self.connections = 0  # successful subscriptions so far; > 1 means it has reconnected
        self._sync: redis.Redis | None = None
        self._script: Any = None
        self._sync_lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None

    def channel(self, org_id: uuid.UUID) -> str:
        """The pub/sub channel of one org."""
        return f"{self.prefix}:org:{org_id}"

    def _seq_key(self, org_id: uuid.UUID) -> str:
        return f"{self.prefix}:seq:{org_id}"

    def _publisher(self) -> Any:
        with self._sync_lock:
            if self._script is None:
                # Short timeouts and one retry: publishing runs after a commit, inside a request or
                # a job, and a Redis outage must cost it a second at most, not a minute.
                self._sync = redis.Redis.from_url(
                    self.url,
                    socket_timeout=2.0,
                    socket_connect_timeout=1.0,
                    retry=Retry(NoBackoff(), 1),
                    health_check_interval=30,
                )
                self._script = self._sync.register_script(PUBLISH_SCRIPT)
            return self._script

    def publish(self, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
        """Publish via Redis (sync, any thread, no ``start()`` needed); failures are logged, not raised."""
        event, data = encode_hint(event, data)
        payload = json.dumps({"event": event, "data": data}, separators=(",", ":"))
        try:
            self._publisher()(keys=[self._seq_key(org_id)], args=[self.epoch, self.channel(org_id), payload])
        except (redis.RedisError, OSError) as exc:
            # Hints are best effort: the write is committed and clients resync on reconnect.
            log.warning("realtime_publish_failed", hint=event, org_id=str(org_id), error=repr(exc))

    async def start(self) -> None:
        """Start the subscriber task and wait (up to ``ready_timeout``) for its first subscription."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        await super().start()
        self._ready = asyncio.Event()
        self._task = loop.create_task(self._listen_forever(), name="salesos-realtime-redis")
        if not await self.wait_ready(self.ready_timeout):
            # Not fatal: the loop keeps retrying, and streams opened meanwhile get a resync.
            log.warning("realtime_redis_not_ready", timeout=self.ready_timeout)

    async def stop(self) -> None:
        """Cancel the subscriber task, end open streams and close the publisher's connections."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await super().stop()
        with self._sync_lock:
            if self._sync is not None:
                self._sync.close()
            self._sync, self._script = None, None

    async def wait_ready(self, timeout: float | None = None) -> bool:
        """True once PSUBSCRIBE is active (so published events will arrive), False on timeout."""
        if self._ready is None:
            return False
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            return False
        return True

    async def _listen_forever(self) -> None:
        delay = BACKOFF_MIN_SECONDS
        while True:
            connections_before = self.connections
            # Retries off: redis-py would otherwise reconnect and resubscribe silently, and we
            # need to know, because messages published in between are lost (-> resync).
            client = aioredis.Redis.from_url(
                self.url,
                client_name=self.client_name,
                retry=AsyncRetry(NoBackoff(), 0),
                socket_connect_timeout=5.0,
                socket_keepalive=True,
            )
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(f"{self.prefix}:org:*")
                await self._pump(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._ready is not None:
                    self._ready.clear()
                if self.connections > connections_before:  # it was up: a new outage restarts the backoff
                    delay = BACKOFF_MIN_SECONDS
                log.warning(
                    "realtime_redis_disconnected",
                    error=f"{type(exc).__name__}: {exc}",
                    retry_in=round(delay, 2),
                )
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            # Jitter: N processes that lost Redis together must not reconnect in lockstep.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)

    async def _pump(self, pubsub: Any) -> None:
        """Read messages until the connection fails; pings when idle so a dead link is noticed."""
        loop = asyncio.get_running_loop()
        last_seen = last_ping = loop.time()
        while True:
            message = await pubsub.get_message(timeout=POLL_SECONDS)
            now = loop.time()
            if message is None:
                if now - last_seen > 3 * self.keepalive_seconds:
                    raise ConnectionError("no traffic from Redis, not even PONGs")
                if now - max(last_seen, last_ping) > self.keepalive_seconds:
                    await pubsub.ping()
                    last_ping = now
                continue
            last_seen = now
            kind = message["type"]
            if kind == "psubscribe":
                self._on_subscribed()
            elif kind == "pmessage":
                self._handle(message["channel"], message["data"])

    def _on_subscribed(self) -> None:
        self.connections += 1
        log.info("realtime_redis_subscribed", pattern=f"{self.prefix}:org:*", connections=self.connections)
        # Whatever was published while we were not subscribed is gone for this process.
        self._resync_all()
        if self._ready is not None:
            self._ready.set()

    def _handle(self, channel: bytes, raw: bytes) -> None:
        try:
            org_id = uuid.UUID(channel.decode().rpartition(":")[2])
            event_id, _, body = raw.partition(b"\n")
            payload = json.loads(body)
            event = Event(event_id.decode(), payload["event"], payload["data"])
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("realtime_bad_message", channel=channel.decode(errors="replace"), error=repr(exc))
            return
        self._dispatch(org_id, event)
