"""Loopback fake websites: routes per (Host, path) with delays, redirects and endless bodies, and a log of
every TCP connection accepted, so tests can prove a refused address was never contacted."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # Stream this many bytes (in 64 KiB chunks, no Content-Length) instead of *body*.
    stream_bytes: int = 0


@dataclass
class FakeWeb:
    host: str = "127.0.0.1"
    port: int = 0
    # (host or "*", path) -> route; the Host header's name part picks the site.
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    connections: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    scheme: str = "http"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def route(self, path: str, route: Route, *, host: str = "*") -> None:
        self.routes[(host, path)] = route

    def page(self, path: str, html: str, *, host: str = "*", **kwargs: object) -> None:
        self.route(path, Route(body=html.encode(), **kwargs), host=host)  # type: ignore[arg-type]

    def redirect(self, path: str, location: str, *, host: str = "*", status: int = 302) -> None:
        self.route(path, Route(status=status, headers={"Location": location}), host=host)

    def find(self, host: str, path: str) -> Route | None:
        return self.routes.get((host, path)) or self.routes.get(("*", path))


def _handler(web: FakeWeb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_header = "FakeWeb"

        def version_string(self) -> str:
            # send_response() always sends Server; a route's own Server header replaces it, as on a real site.
            return self.server_header

        def do_GET(self) -> None:
            host = (self.headers.get("host") or "").rsplit(":", 1)[0].lower()
            path = self.path.split("?", 1)[0]
            with web.lock:
                web.requests.append((host, path))
            route = web.find(host, path) or Route(status=404, body=b"not found")
            if route.delay:
                time.sleep(route.delay)
            self.server_header = route.headers.get("Server", "FakeWeb")
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    if name.lower() != "server":
                        self.send_header(name, value)
                if route.stream_bytes:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"x" * 65536
                    for _ in range(route.stream_bytes // len(chunk)):
                        self.wfile.write(chunk)
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    web: FakeWeb

    def get_request(self) -> tuple[socket.socket, object]:
        conn, addr = super().get_request()
        with self.web.lock:
            self.web.connections += 1
        return conn, addr


@contextmanager
def fake_web(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> Iterator[FakeWeb]:
    """Serve a FakeWeb on loopback *host* (over https when *tls* is given) for the duration of the block."""
    web = FakeWeb(host=host, scheme="https" if tls else "http")
    server = _CountingServer((host, 0), _handler(web))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.web = web
    web.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
