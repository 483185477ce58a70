"""MemoryHub: per-org fan-out, cross-thread publishing, bounded client queues, Last-Event-ID replay."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import pytest

from salesos.realtime import RESYNC, SubscriptionClosed
from salesos.realtime.hub import encode_hint
from salesos.realtime.memory import MemoryHub

pytestmark = pytest.mark.anyio

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()


async def started(**kwargs: int) -> MemoryHub:
    hub = MemoryHub(**kwargs)
    await hub.start()
    return hub


async def test_fan_out_reaches_every_subscriber_of_the_org_and_no_other_org() -> None:
    hub = await started()
    a1, a2, b = hub.subscribe(ORG_A), hub.subscribe(ORG_A), hub.subscribe(ORG_B)
    hub.publish(ORG_A, "lead.created", {"lead_id": uuid.UUID(int=7)})
    for sub in (a1, a2):
        event = await sub.get(timeout=1)
        assert event is not None
        assert (event.event, event.data) == ("lead.created", {"lead_id": str(uuid.UUID(int=7))})
        assert event.id == f"{hub.epoch}-1"
    assert await b.get(timeout=0.2) is None
    await hub.stop()


async def test_publish_from_another_thread_reaches_an_async_subscriber() -> None:
    hub = await started()
    sub = hub.subscribe(ORG_A)
    threads = [threading.Thread(target=hub.publish, args=(ORG_A, "lead.updated", {"n": n})) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = [await sub.get(timeout=1) for _ in range(5)]
    assert sorted(e.data["n"] for e in received if e) == [0, 1, 2, 3, 4]
    # ids are consecutive in delivery order even with concurrent publishers
    assert [e.id for e in received if e] == [f"{hub.epoch}-{n}" for n in range(1, 6)]
    await hub.stop()


async def test_a_client_that_does_not_read_is_dropped_without_blocking_others() -> None:
    hub = await started(queue_size=5)
    slow, fast = hub.subscribe(ORG_A), hub.subscribe(ORG_A)
    for n in range(20):
        hub.publish(ORG_A, "tick", {"n": n})
        event = await fast.get(timeout=1)
        assert event is not None and event.data == {"n": n}
    assert slow.closed_reason == "overflow"
    with pytest.raises(SubscriptionClosed):
        await slow.get(timeout=0.1)
    assert hub.subscriber_count(ORG_A) == 1
    await hub.stop()


async def test_publishers_never_wait_for_clients() -> None:
    hub = await started(queue_size=5)
    stuck = hub.subscribe(ORG_A)
    started_at = time.monotonic()
    await asyncio.to_thread(lambda: [hub.publish(ORG_A, "tick", {"n": n}) for n in range(2000)])
    assert time.monotonic() - started_at < 2
    await asyncio.sleep(0.05)  # let the loop deliver
    assert stuck.closed_reason == "overflow"
    fresh = hub.subscribe(ORG_A)
    hub.publish(ORG_A, "tick", {"n": "after"})
    event = await fresh.get(timeout=1)
    assert event is not None and event.data == {"n": "after"}
    await hub.stop()


async def test_last_event_id_replays_what_was_missed() -> None:
    hub = await started()
    live = hub.subscribe(ORG_A)
    for n in range(3):
        hub.publish(ORG_A, "tick", {"n": n})
    seen = [await live.get(timeout=1) for _ in range(3)]
    first = seen[0]
    assert first is not None
    resumed = hub.subscribe(ORG_A, last_event_id=first.id)
    assert [await resumed.get(timeout=1) for _ in range(2)] == seen[1:]
    assert await resumed.get(timeout=0.1) is None
    up_to_date = hub.subscribe(ORG_A, last_event_id=seen[-1].id if seen[-1] else None)
    assert await up_to_date.get(timeout=0.1) is None
    await hub.stop()


@pytest.mark.parametrize("last_event_id", ["garbage", "deadbeef-1", "{epoch}-99", "{epoch}-1"])
async def test_unprovable_resume_sends_resync(last_event_id: str) -> None:
    hub = await started(replay_size=3)
    live = hub.subscribe(ORG_A)
    for n in range(6):  # seqs 1..6; only 4..6 are kept, so resuming after 1 would miss 2 and 3
        hub.publish(ORG_A, "tick", {"n": n})
    for _ in range(6):
        await live.get(timeout=1)
    sub = hub.subscribe(ORG_A, last_event_id=last_event_id.format(epoch=hub.epoch))
    event = await sub.get(timeout=1)
    assert event is not None and event.event == RESYNC
    assert event.id == f"{hub.epoch}-6"  # the client's position jumps to now
    # a resume from right before the window is still exact
    exact = hub.subscribe(ORG_A, last_event_id=f"{hub.epoch}-3")
    assert [(e.data["n"] if e else None) for e in [await exact.get(timeout=1) for _ in range(3)]] == [3, 4, 5]
    await hub.stop()


async def test_stop_ends_every_subscription() -> None:
    hub = await started()
    sub = hub.subscribe(ORG_A)
    received = []

    async def consume() -> None:
        async for event in sub:
            received.append(event)

    task = asyncio.create_task(consume())
    hub.publish(ORG_A, "tick", {})
    await asyncio.sleep(0.05)
    hub.disconnect_all()
    await asyncio.wait_for(task, 1)
    assert len(received) == 1 and sub.closed_reason == "stopped"
    await hub.stop()


async def test_subscribe_requires_a_started_hub() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        MemoryHub().subscribe(ORG_A)


def test_hints_are_small_and_plain() -> None:
    lead_id = uuid.UUID(int=1)
    assert encode_hint("lead.created", {"id": lead_id}) == ("lead.created", {"id": str(lead_id)})
    with pytest.raises(ValueError, match="ids, not content"):
        encode_hint("message.received", {"body": "x" * 5000})
    with pytest.raises(ValueError, match="event name"):
        encode_hint("evil\nevent: forged", {})
    with pytest.raises(TypeError):
        encode_hint("lead.created", {"lead": object()})
