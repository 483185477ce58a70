"""The ceiling of P4: a bare SSE broadcast server (Starlette, in-memory fan-out, nothing else).

    uvicorn sse_ceiling_app:app --app-dir bench

- ``GET /events``: an SSE stream (``retry:`` first, like the real endpoint), no auth, no replay.
- ``POST /broadcast`` with ``{"lead_id": "..."}``: numbers the event, formats the frame once and puts
  it on every client's unbounded queue; the moment of the fan-out is recorded for the bench.
- ``GET /_bench/commits``: ``[[lead_id, event, monotonic seconds], ...]`` of every broadcast, the
  same shape the instrumented real app answers (see ``realtime_app.py``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

EVENT = "lead.updated"
clients: set[asyncio.Queue[str]] = set()
stamps: list[tuple[str, str, float]] = []
seq = 0


async def events(request: Request) -> Response:
    """One client's stream: frames from its queue, as they come."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    clients.add(queue)

    async def frames() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n\n"
            while True:
                yield await queue.get()
        finally:
            clients.discard(queue)

    return StreamingResponse(frames(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def broadcast(request: Request) -> Response:
    """Send one hint to every connected client."""
    global seq
    body = await request.json()
    data = {"lead_id": str(body["lead_id"])}
    seq += 1
    stamps.append((data["lead_id"], EVENT, time.monotonic()))
    frame = f"id: ceiling-{seq}\nevent: {EVENT}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
    for queue in list(clients):
        queue.put_nowait(frame)
    return JSONResponse({"id": f"ceiling-{seq}", "clients": len(clients)})


async def commits(request: Request) -> Response:
    """When each broadcast happened (``time.monotonic()``, comparable across processes on Linux)."""
    return JSONResponse(stamps)


async def healthz(request: Request) -> Response:
    """Readiness probe."""
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        Route("/events", events),
        Route("/broadcast", broadcast, methods=["POST"]),
        Route("/_bench/commits", commits),
        Route("/healthz", healthz),
    ]
)
