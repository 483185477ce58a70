"""The SSE endpoint over real HTTP: uvicorn on a loopback port, read with httpx streaming."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Header, HTTPException

from salesos.config import get_settings
from salesos.realtime import Event, get_hub, set_hub
from salesos.realtime.api import build_router
from salesos.realtime.memory import MemoryHub

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()
HEARTBEAT = 0.3


@dataclass(frozen=True)
class FakePrincipal:
    org_id: uuid.UUID


def fake_principal(x_org: Annotated[str | None, Header()] = None) -> FakePrincipal:
    """Stands in for the app's authentication: the caller's org comes from a header."""
    if x_org is None:
        raise HTTPException(401, "not authenticated")
    return FakePrincipal(uuid.UUID(x_org))


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    hub = get_hub()
    await hub.start()
    yield
    await hub.stop()


@dataclass
class Server:
    url: str
    hub: MemoryHub


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("SALESOS_ENV", "test")
    monkeypatch.setenv("SALESOS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SALESOS_SSE_HEARTBEAT_SECONDS", str(HEARTBEAT))
    get_settings.cache_clear()
    hub = MemoryHub()
    set_hub(hub)
    app = FastAPI(lifespan=lifespan)
    app.include_router(build_router(fake_principal), prefix="/api/v1")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert uv.started
    try:
        yield Server(f"http://127.0.0.1:{sock.getsockname()[1]}", hub)
    finally:
        uv.should_exit = True
        thread.join(10)
        set_hub(None)
        get_settings.cache_clear()


def frames(response: httpx.Response) -> Iterator[list[str]]:
    """SSE frames as their lines (a blank line ends a frame)."""
    lines: list[str] = []
    for line in response.iter_lines():
        if line:
            lines.append(line)
        elif lines:
            yield lines
            lines = []


def next_event(stream: Iterator[list[str]]) -> list[str]:
    return next(frame for frame in stream if frame != [": keepalive"])


def open_stream(client: httpx.Client, org_id: uuid.UUID, **headers: str) -> httpx.Response:
    return client.send(
        client.build_request("GET", "/api/v1/events", headers={"X-Org": str(org_id), **headers}), stream=True
    )


def wait_for(condition: object, timeout: float = 3) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)
    assert condition()  # type: ignore[operator]


def test_events_arrive_as_sse_frames_with_heartbeats_and_only_for_the_org(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        response = open_stream(client, ORG_A)
        try:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-cache"
            assert response.headers["x-accel-buffering"] == "no"
            stream = frames(response)
            assert next(stream) == ["retry: 3000"]
            server.hub.publish(ORG_B, "lead.created", {"lead_id": "of-org-b"})
            server.hub.publish(ORG_A, "lead.created", {"lead_id": uuid.UUID(int=9)})
            assert next_event(stream) == [
                f"id: {server.hub.epoch}-1",
                "event: lead.created",
                f'data: {{"lead_id":"{uuid.UUID(int=9)}"}}',
            ]
            started = time.monotonic()
            assert next(stream) == [": keepalive"]  # org B's event never shows up here
            assert time.monotonic() - started < HEARTBEAT * 5
        finally:
            response.close()
        wait_for(lambda: server.hub.subscriber_count() == 0)  # the disconnect released the subscription


def test_reconnect_with_last_event_id_catches_up(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        response = open_stream(client, ORG_A)
        stream = frames(response)
        next(stream)
        server.hub.publish(ORG_A, "lead.created", {"n": 1})
        first_id = next_event(stream)[0].removeprefix("id: ")
        response.close()
        server.hub.publish(ORG_A, "lead.updated", {"n": 2})
        server.hub.publish(ORG_A, "lead.updated", {"n": 3})
        wait_for(lambda: server.hub.subscriber_count() == 0)

        response = open_stream(client, ORG_A, **{"Last-Event-ID": first_id})
        stream = frames(response)
        next(stream)
        assert [next_event(stream)[2] for _ in range(2)] == ['data: {"n":2}', 'data: {"n":3}']
        response.close()

        # An id the server can't place (e.g. from before a restart): the client is told to refetch.
        response = client.send(
            client.build_request(
                "GET", "/api/v1/events", params={"last_event_id": "0ld-7"}, headers={"X-Org": str(ORG_A)}
            ),
            stream=True,
        )
        stream = frames(response)
        next(stream)
        assert next_event(stream) == [f"id: {server.hub.epoch}-3", "event: resync", "data: {}"]
        response.close()


def test_stream_ends_when_the_hub_disconnects_everyone(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        response = open_stream(client, ORG_A)
        stream = frames(response)
        next(stream)
        server.hub.disconnect_all()
        assert [frame for frame in stream if frame != [": keepalive"]] == []  # ends cleanly
        response.close()


def test_unauthenticated_request_gets_no_stream(server: Server) -> None:
    response = httpx.get(f"{server.url}/api/v1/events", timeout=5)
    assert response.status_code == 401
    assert server.hub.subscriber_count() == 0


def test_a_client_leaving_while_events_flow_releases_its_subscription(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        response = open_stream(client, ORG_A)
        stream = frames(response)
        next(stream)
        server.hub.publish(ORG_A, "lead.updated", {"lead_id": "first"})
        assert next_event(stream)[1] == "event: lead.updated"
        response.close()
    # An event every 10 ms: the stream never idles for a heartbeat, so only the disconnect
    # listener can notice the client left (the stream no longer asks before every event).
    deadline = time.monotonic() + 2
    n = 0
    while server.hub.subscriber_count() and time.monotonic() < deadline:
        n += 1
        server.hub.publish(ORG_A, "lead.updated", {"lead_id": str(n)})
        time.sleep(0.01)
    assert server.hub.subscriber_count() == 0


def test_an_event_is_formatted_once_for_every_stream() -> None:
    event = Event("e1-7", "lead.updated", {"lead_id": "x"})
    assert event.sse_frame == b'id: e1-7\nevent: lead.updated\ndata: {"lead_id":"x"}\n\n'
    assert event.sse_frame is event.sse_frame
    assert Event(None, "resync", {}).sse_frame == b"event: resync\ndata: {}\n\n"
