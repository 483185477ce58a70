"""publish_after_commit: hints leave the process only once the write that caused them is committed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from salesos.config import Settings
from salesos.db.session import open_session, unit_of_work
from salesos.realtime import set_hub
from salesos.realtime.events import publish_after_commit
from salesos.realtime.memory import MemoryHub

pytestmark = pytest.mark.anyio

ORG = uuid.uuid4()


@pytest.fixture
def hub(settings: Settings) -> Iterator[MemoryHub]:
    hub = MemoryHub()
    set_hub(hub)
    yield hub
    set_hub(None)


def _write_then_fail() -> None:
    with pytest.raises(RuntimeError), unit_of_work(org_id=ORG) as session:
        session.execute(text("SELECT 1"))  # a write session: BEGIN IMMEDIATE holds the write lock
        publish_after_commit(session, ORG, "lead.created", {"lead_id": uuid.UUID(int=1)})
        raise RuntimeError("the request failed after the write")


def _write_and_commit() -> None:
    with unit_of_work(org_id=ORG) as session:
        session.execute(text("SELECT 1"))
        publish_after_commit(session, ORG, "lead.updated", {"lead_id": uuid.UUID(int=2)})


async def test_rolled_back_publishes_nothing_committed_publishes_once(hub: MemoryHub) -> None:
    await hub.start()
    sub = hub.subscribe(ORG)
    await asyncio.to_thread(_write_then_fail)
    await asyncio.to_thread(_write_and_commit)
    event = await sub.get(timeout=2)
    assert event is not None
    assert (event.event, event.data) == ("lead.updated", {"lead_id": str(uuid.UUID(int=2))})
    assert await sub.get(timeout=0.3) is None
    await hub.stop()


async def test_a_rollback_discards_hints_even_when_the_session_is_reused(hub: MemoryHub) -> None:
    await hub.start()
    sub = hub.subscribe(ORG)

    def reuse() -> None:
        session = open_session(org_id=ORG)
        try:
            session.execute(text("SELECT 1"))
            publish_after_commit(session, ORG, "lead.created", {"attempt": 1})
            session.rollback()
            session.execute(text("SELECT 1"))
            publish_after_commit(session, ORG, "lead.created", {"attempt": 2})
            session.commit()
        finally:
            session.close()

    await asyncio.to_thread(reuse)
    event = await sub.get(timeout=2)
    assert event is not None and event.data == {"attempt": 2}
    assert await sub.get(timeout=0.3) is None
    await hub.stop()


def test_an_oversized_hint_fails_before_the_commit(hub: MemoryHub) -> None:
    with pytest.raises(ValueError), unit_of_work(org_id=ORG) as session:
        publish_after_commit(session, ORG, "message.received", {"body": "x" * 10_000})


def _many_hints(count: int, *, repeat: bool = False) -> None:
    with unit_of_work(org_id=ORG) as session:
        session.execute(text("SELECT 1"))
        for i in range(count):
            lead = uuid.UUID(int=7 if repeat else 100 + i)
            publish_after_commit(session, ORG, "lead.updated", {"lead_id": lead})


async def test_hints_of_one_commit_are_deduplicated_and_a_flood_becomes_one_resync(hub: MemoryHub) -> None:
    await hub.start()
    sub = hub.subscribe(ORG)
    await asyncio.to_thread(_many_hints, 5, repeat=True)  # the same lead touched five times
    first = await sub.get(timeout=2)
    assert first is not None and first.data == {"lead_id": str(uuid.UUID(int=7))}
    assert await sub.get(timeout=0.3) is None
    await asyncio.to_thread(_many_hints, 500)  # an import batch
    flood = await sub.get(timeout=2)
    assert flood is not None and flood.event == "resync"
    assert await sub.get(timeout=0.3) is None
    await hub.stop()
