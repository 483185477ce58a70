"""A loopback Google: the OAuth token endpoint and the Calendar events API, strict about what it accepts."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

CLIENT_ID, CLIENT_SECRET = "client-123", "secret-456"


@dataclass
class FakeGoogle:
    origin: str = ""
    codes: dict[str, str] = field(default_factory=dict)  # code → refresh token it grants
    access_tokens: set[str] = field(default_factory=set)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    busy_once: bool = False
    calls: list[str] = field(default_factory=list)
    issued: int = 0

    def new_code(self) -> str:
        code = f"code-{len(self.codes)}"
        self.codes[code] = f"refresh-{len(self.codes)}"
        return code

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def token(self, headers: dict[str, str], body: str) -> tuple[int, dict[str, Any]]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if headers.get("authorization") != expected:
            return 401, {"error": "invalid_client"}
        form = parse_qs(body)
        self.token_requests.append(form)
        grant = form.get("grant_type", [""])[0]
        if grant == "authorization_code":
            refresh = self.codes.pop(form.get("code", [""])[0], None)
            if refresh is None or not form.get("redirect_uri"):
                return 400, {"error": "invalid_grant"}
        elif grant == "refresh_token":
            refresh = form.get("refresh_token", [""])[0]
            if not refresh.startswith("refresh-"):
                return 400, {"error": "invalid_grant"}
        else:
            return 400, {"error": "unsupported_grant_type"}
        self.issued += 1
        access = f"access-{self.issued}"
        self.access_tokens.add(access)
        reply = {"access_token": access, "expires_in": 3600, "token_type": "Bearer"}
        if grant == "authorization_code":
            reply["refresh_token"] = refresh
        return 200, reply

    def calendar(
        self, method: str, path: str, headers: dict[str, str], body: str
    ) -> tuple[int, dict[str, Any]]:
        self.calls.append(f"{method} {path}")
        if headers.get("authorization", "").removeprefix("Bearer ") not in self.access_tokens:
            return 401, {"error": {"code": 401}}
        if self.busy_once:
            self.busy_once = False
            return 503, {"error": {"code": 503}}
        prefix = "/calendar/v3/calendars/primary/events"
        if method == "DELETE" and path.startswith(prefix + "/"):
            event_id = path.rsplit("/", 1)[1]
            if event_id in self.deleted:
                return 410, {"error": {"code": 410, "message": "Resource has been deleted"}}
            if self.events.pop(event_id, None) is None:
                return 404, {"error": {"code": 404}}
            self.deleted.add(event_id)
            return 204, {}
        event = json.loads(body)
        if method == "POST" and path == prefix:
            if event["id"] in self.events:
                return 409, {"error": {"code": 409, "message": "The requested identifier already exists."}}
            self.events[event["id"]] = event
            return 200, event
        if method == "PUT" and path.startswith(prefix + "/"):
            event_id = path.rsplit("/", 1)[1]
            if event_id not in self.events:
                return 404, {"error": {"code": 404}}
            self.events[event_id] = event
            return 200, event
        return 404, {"error": {"code": 404}}


@contextmanager
def fake_google() -> Iterator[FakeGoogle]:
    """Serve a FakeGoogle on 127.0.0.1 for the duration of the block."""
    google = FakeGoogle()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/token":
                status, reply = google.token(headers, body)
            else:
                status, reply = google.calendar(self.command, self.path, headers, body)
            data = b"" if status == 204 else json.dumps(reply).encode()
            self.send_response(status)
            if data:
                self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    google.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield google
    finally:
        server.shutdown()
        server.server_close()
