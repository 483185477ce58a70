"""P4's SSE clients: N raw-socket EventSource look-alikes in one asyncio process, driven over stdin/stdout.

Started by ``realtime_bench.py`` (never by hand). The first stdin line is a JSON config
``{"targets": [[host, port], ...], "path": "/api/v1/events", "out": "<file>"}`` (one target per client);
request headers come in the ``SSE_HEADERS`` environment variable (a bearer token: never on a command
line). Every other stdin line is a command, answered by one JSON line on stdout:

- ``{"cmd": "drop", "clients": [...]}``: abort those connections now (a forced disconnect).
- ``{"cmd": "reconnect", "clients": [...]}``: reconnect them with ``Last-Event-ID`` (the last id each
  one saw), answered once every one of them has its stream open again.
- ``{"cmd": "stop"}``: write every client's receipts to ``out`` and exit.

A frame's receipt time is ``time.monotonic()`` when the bytes completing it arrived (``data_received``),
before any parsing. Like a browser's EventSource, a client whose stream ends without being told to
reconnects by itself after the server's ``retry:`` delay, with its ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

CRLF = b"\r\n"


class Client:
    """One SSE consumer; survives its connections and keeps everything it received."""

    def __init__(self, index: int, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self.index = index
        self.host, self.port, self.path, self.headers = host, port, path, headers
        self.last_event_id: str | None = None
        self.retry_seconds = 3.0
        # [connection number, id, event, data, receipt time]
        self.received: list[list[Any]] = []
        self.connections = 0
        self.unexpected_ends = 0
        self.statuses: list[int] = []
        self.open_event = asyncio.Event()
        self.transport: asyncio.Transport | None = None
        self.wanted = True  # False while the driver holds it disconnected
        self.pending: set[asyncio.Future[None]] = set()

    async def connect(self) -> None:
        """Open a stream (with Last-Event-ID if it has one) and wait for its first ``retry:`` frame."""
        self.open_event.clear()
        self.wanted = True
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: Stream(self), self.host, self.port)
        await self.open_event.wait()

    def request_bytes(self) -> bytes:
        lines = [f"GET {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.last_event_id is not None:
            lines.append(f"Last-Event-ID: {self.last_event_id}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def on_frame(self, frame: str, received_at: float) -> None:
        event_id = event = data = None
        for line in frame.split("\n"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id":
                event_id = value
            elif field == "event":
                event = value
            elif field == "data":
                data = value
            elif field == "retry" and value.isdigit():
                self.retry_seconds = int(value) / 1000
                self.open_event.set()
        if event_id is not None:
            self.last_event_id = event_id
        if event is not None:
            self.received.append([self.connections, event_id, event, data, received_at])

    def on_end(self) -> None:
        self.transport = None
        if self.wanted:
            # The server ended the stream (a slow client dropped, a restart): do what EventSource does.
            self.unexpected_ends += 1
            asyncio.get_running_loop().call_later(self.retry_seconds, self._reconnect_soon)

    def _reconnect_soon(self) -> None:
        if self.wanted and self.transport is None:
            task = asyncio.ensure_future(self.connect())
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)

    def drop(self) -> None:
        """Abort the connection (no FIN handshake wait) and stay away until told to reconnect."""
        self.wanted = False
        if self.transport is not None:
            self.transport.abort()


class Stream(asyncio.Protocol):
    """One HTTP/1.1 connection: parses the status line, headers and chunked body into SSE frames."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.buffer = b""
        self.head_done = False
        self.chunked = False
        self.chunk_left = -1  # bytes left in the current chunk; -1 = expecting a size line
        self.text = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCP transport is not an asyncio.Transport subclass, but it has the same methods.
        tcp: asyncio.Transport = transport  # type: ignore[assignment]
        self.client.transport = tcp
        self.client.connections += 1
        tcp.write(self.client.request_bytes())

    def data_received(self, data: bytes) -> None:
        received_at = time.monotonic()
        self.buffer += data
        if not self.head_done:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4 :]
            status = int(head.split(" ", 2)[1])
            self.client.statuses.append(status)
            self.chunked = "transfer-encoding: chunked" in head.lower()
            self.head_done = True
            if status != 200:
                self.client.wanted = False  # an auth failure would only repeat itself
                assert self.client.transport is not None
                self.client.transport.close()
                self.client.open_event.set()
                return
        body = self._dechunk() if self.chunked else self._take_all()
        if not body:
            return
        self.text += body.decode()
        while "\n\n" in self.text:
            frame, self.text = self.text.split("\n\n", 1)
            self.client.on_frame(frame, received_at)

    def _take_all(self) -> bytes:
        body, self.buffer = self.buffer, b""
        return body

    def _dechunk(self) -> bytes:
        out = bytearray()
        while True:
            if self.chunk_left < 0:
                end = self.buffer.find(CRLF)
                if end < 0:
                    break
                self.chunk_left = int(self.buffer[:end].split(b";")[0], 16)
                self.buffer = self.buffer[end + 2 :]
            if len(self.buffer) < self.chunk_left + 2:
                break
            out += self.buffer[: self.chunk_left]
            self.buffer = self.buffer[self.chunk_left + 2 :]
            self.chunk_left = -1
        return bytes(out)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client.transport is not None and self.client.transport.get_protocol() is self:
            self.client.on_end()


def answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    config = json.loads(await reader.readline())
    headers = json.loads(os.environ.get("SSE_HEADERS", "{}"))
    clients = [
        Client(i, host, port, config["path"], headers) for i, (host, port) in enumerate(config["targets"])
    ]
    # Connect in waves: a real fleet of browsers does not open 200 streams in the same millisecond.
    for start in range(0, len(clients), 20):
        await asyncio.gather(*(c.connect() for c in clients[start : start + 20]))
    answer({"ready": sum(1 for c in clients if c.statuses and c.statuses[-1] == 200)})
    while line := await reader.readline():
        command = json.loads(line)
        chosen = [clients[i] for i in command.get("clients", [])]
        if command["cmd"] == "drop":
            for client in chosen:
                client.drop()
            answer({"dropped": len(chosen)})
        elif command["cmd"] == "reconnect":
            await asyncio.gather(*(c.connect() for c in chosen))
            answer({"reconnected": len(chosen)})
        elif command["cmd"] == "stop":
            for client in clients:
                client.drop()
            report = [
                {
                    "received": c.received,
                    "connections": c.connections,
                    "unexpected_ends": c.unexpected_ends,
                    "statuses": c.statuses,
                }
                for c in clients
            ]
            with open(config["out"], "w") as out:
                json.dump(report, out)
            answer({"done": True})
            return


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
