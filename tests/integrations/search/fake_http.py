"""A loopback HTTP server for provider fakes: records every request, and can be told to fail the next ones."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], Any]  # status, headers, body (dict/list → JSON, str/bytes as is)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class FakeService:
    """Subclasses answer in ``handle``; ``fail_next`` queues replies served before it (429s, 5xx)."""

    origin: str = ""
    requests: list[Request] = field(default_factory=list)
    failures: list[Reply] = field(default_factory=list)

    def fail_next(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        self.failures.extend(
            [(status, headers or {}, body if body is not None else {"error": "busy"})] * times
        )

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def reply(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.failures:
            return self.failures.pop(0)
        return self.handle(request)


S = TypeVar("S", bound=FakeService)


@contextmanager
def serve(service: S) -> Iterator[S]:
    """Serve *service* on 127.0.0.1 for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                at=time.monotonic(),
            )
            status, headers, payload = service.reply(request)
            if isinstance(payload, dict | list):
                data = json.dumps(payload).encode()
                headers = {"content-type": "application/json", **headers}
            else:
                data = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.origin = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval keeps shutdown (and so each test's teardown) quick.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
