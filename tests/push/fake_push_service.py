"""A loopback push service that checks what real ones check: the VAPID JWT, and an aes128gcm body it can
decrypt with the browser's keys (held here, as a browser would)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from salesos.integrations.push.vapid import b64url, b64url_decode


@dataclass
class Browser:
    """One browser install: its subscription keys, as PushSubscription.toJSON() would give them."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    claims: dict[str, Any]
    payload: dict[str, Any]


@dataclass
class FakePushService:
    origin: str = ""
    browsers: dict[str, Browser] = field(default_factory=dict)  # path → browser
    gone: set[str] = field(default_factory=set)  # paths that answer 410
    busy_once: set[str] = field(default_factory=set)  # paths that answer 503 the first time
    deliveries: list[Delivery] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def subscription(self, name: str) -> dict[str, Any]:
        """A new browser's subscription body for the SalesOS API."""
        browser = Browser()
        path = f"/push/{name}"
        self.browsers[path] = browser
        return {"endpoint": self.origin + path, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}

    def check(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        auth = headers.get("authorization", "")
        if not auth.startswith("vapid "):
            return 401, "no vapid authorization"
        parts = dict(p.strip().split("=", 1) for p in auth[len("vapid ") :].split(","))
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
        try:
            claims = jwt.decode(parts["t"], key, algorithms=["ES256"], audience=self.origin)
        except jwt.PyJWTError as exc:
            return 403, f"bad jwt: {exc}"
        if not 0 < claims["exp"] - time.time() <= 24 * 3600:
            return 403, "exp out of range"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return 403, "bad sub"
        if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
            return 400, "missing content-encoding or ttl"
        if path in self.busy_once:
            self.busy_once.discard(path)
            return 503, "busy"
        browser = self.browsers.get(path)
        if browser is None or path in self.gone:
            return 410, "gone"
        plain = http_ece.decrypt(
            body, private_key=browser.private_key, auth_secret=browser.auth_secret, version="aes128gcm"
        )
        self.deliveries.append(Delivery(path, headers, claims, json.loads(plain)))
        return 201, ""


@contextmanager
def fake_push_service() -> Iterator[FakePushService]:
    """Serve a FakePushService on 127.0.0.1 for the duration of the block."""
    service = FakePushService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reason = service.check(self.path, headers, body)
            if status >= 400:
                service.refusals.append(f"{status} {reason}")
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
