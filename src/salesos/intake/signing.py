"""Webhook signatures: ``X-SalesOS-Signature: t=<unix>,v1=<hex hmac-sha256(secret, "t.body")>``."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-SalesOS-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value a sender puts on *body* (used by tests, docs and future outgoing webhooks)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def _parse(header: str) -> tuple[int, list[str]] | None:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify(header: str | None, body: bytes, secrets: list[str], now: float | None = None) -> bool:
    """True when *header* signs *body* with one of *secrets* within the tolerance (either direction)."""
    parsed = _parse(header or "")
    if parsed is None:
        return False
    timestamp, signatures = parsed
    current = time.time() if now is None else now
    # Both directions: a timestamp from the future is as replayable as one from the past.
    if abs(current - timestamp) > TOLERANCE_SECONDS:
        return False
    signed = f"{timestamp}.".encode() + body
    ok = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        for candidate in signatures:
            # No early exit: every candidate costs the same whether or not an earlier one matched.
            ok |= hmac.compare_digest(expected, candidate)
    return ok
