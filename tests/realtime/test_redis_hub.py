"""RedisHub: two hubs stand in for two processes sharing one Redis."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis

from salesos.realtime import RESYNC
from salesos.realtime.redis_hub import RedisHub
from tests.support.services import REDIS_URL

pytestmark = pytest.mark.anyio

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
async def hubs(redis_prefix: str) -> AsyncIterator[tuple[RedisHub, RedisHub]]:
    """Hub A (the "API process" that commits) and hub B (the one holding the browser's stream)."""
    a = RedisHub(REDIS_URL, prefix=redis_prefix, keepalive_seconds=1.0)
    b = RedisHub(REDIS_URL, prefix=redis_prefix, keepalive_seconds=1.0)
    await a.start()
    await b.start()
    assert await a.wait_ready(5) and await b.wait_ready(5)
    yield a, b
    await a.stop()
    await b.stop()


async def publish(hub: RedisHub, org_id: uuid.UUID, event: str, data: dict[str, object]) -> None:
    # Publishers are request/job threads; keep the loop free like the real app does.
    await asyncio.to_thread(hub.publish, org_id, event, data)


async def test_event_published_in_one_process_reaches_the_other_for_that_org_only(
    hubs: tuple[RedisHub, RedisHub],
) -> None:
    a, b = hubs
    on_b_for_a, on_b_for_b = b.subscribe(ORG_A), b.subscribe(ORG_B)
    await publish(a, ORG_A, "lead.created", {"lead_id": uuid.UUID(int=5)})
    event = await on_b_for_a.get(timeout=2)
    assert event is not None
    assert (event.event, event.data) == ("lead.created", {"lead_id": str(uuid.UUID(int=5))})
    assert event.id is not None and event.id.endswith("-1")
    assert await on_b_for_b.get(timeout=0.3) is None


async def test_ids_are_shared_so_a_client_can_resume_on_another_process(
    hubs: tuple[RedisHub, RedisHub],
) -> None:
    a, b = hubs
    live = b.subscribe(ORG_A)
    for n in range(3):
        await publish(a if n % 2 else b, ORG_A, "tick", {"n": n})
    seen = [await live.get(timeout=2) for _ in range(3)]
    ids = [e.id for e in seen if e]
    epoch = ids[0].rpartition("-")[0]
    assert ids == [f"{epoch}-1", f"{epoch}-2", f"{epoch}-3"]  # one sequence, whoever published
    for process in (a, b):  # the browser's reconnect may land on either process
        resumed = process.subscribe(ORG_A, last_event_id=ids[0])
        assert [await resumed.get(timeout=1) for _ in range(2)] == seen[1:]
        assert await resumed.get(timeout=0.1) is None


async def test_resubscribes_after_the_connection_is_killed(hubs: tuple[RedisHub, RedisHub]) -> None:
    a, b = hubs
    sub = b.subscribe(ORG_A)
    admin = redis.Redis.from_url(REDIS_URL)
    try:
        ours = [c for c in admin.client_list(_type="pubsub") if c["name"] == b.client_name]
        assert len(ours) == 1  # exactly ONE pattern subscription per process
        admin.client_kill_filter(_id=ours[0]["id"])
    finally:
        admin.close()
    # Messages sent while it was down are lost, so open streams are told to refetch.
    event = await sub.get(timeout=5)
    assert event is not None and event.event == RESYNC
    assert await b.wait_ready(5) and b.connections == 2
    await publish(a, ORG_A, "lead.updated", {"lead_id": "after-reconnect"})
    event = await sub.get(timeout=2)
    assert event is not None and event.data == {"lead_id": "after-reconnect"}


async def test_unreachable_redis_neither_blocks_startup_nor_fails_publishers() -> None:
    hub = RedisHub("redis://127.0.0.1:1/0", prefix="salesos-test-down", ready_timeout=0.3)
    started_at = time.monotonic()
    await hub.start()
    hub.publish(ORG_A, "lead.created", {"lead_id": "x"})  # logged, not raised
    assert time.monotonic() - started_at < 5
    sub = hub.subscribe(ORG_A)  # streams still open; they just wait for Redis to come back
    assert await sub.get(timeout=0.1) is None
    await hub.stop()
    assert sub.closed
