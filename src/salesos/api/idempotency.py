"""Idempotency-Key for POST: the first response is stored and replayed to the same caller for 24 h."""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesos.api.middleware import read_body, replay_receive, send_problem
from salesos.api.models import IdempotencyRecord
from salesos.api.repository import IdempotencyRepository
from salesos.auth.principal import Principal
from salesos.auth.service.resolve import principal_from_bearer, principal_from_cookie
from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.db.session import unit_of_work

log = structlog.get_logger(__name__)
RETENTION = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = {b"content-type", b"location"}


KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": "Send the same key again (same body) within 24 h to get the first answer back, not a "
    "second write; the same key with another body is a 422.",
}


def document_key(schema: dict[str, Any]) -> dict[str, Any]:
    """*schema* (the OpenAPI document) with the Idempotency-Key header on every POST under /api/v1/.

    The middleware reads the header before any route does, so no route declares it itself.
    """
    for path, operations in schema.get("paths", {}).items():
        post = operations.get("post")
        if post is not None and path.startswith("/api/v1/"):
            post.setdefault("parameters", []).append(KEY_PARAMETER)
    return schema


def _identify(headers: Headers) -> Principal | None:
    """The caller, resolved read-only, just to know whose key this is."""
    with unit_of_work(write=False) as session:
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            return principal_from_bearer(session, authorization[7:].strip())
        cookie = headers.get("cookie", "")
        name = get_settings().session_cookie + "="
        for part in cookie.split(";"):
            part = part.strip()
            if part.startswith(name):
                return principal_from_cookie(session, part[len(name) :])
    return None


class IdempotencyMiddleware:
    """Applies to POST /api/v1/* with an Idempotency-Key header from an authenticated caller."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/api/v1/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if not key:
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY_LENGTH:
            too_long = f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters."
            errors = [{"field": "Idempotency-Key", "message": too_long}]
            await send_problem(scope, send, 422, "Validation failed", too_long, errors)
            return
        from starlette.concurrency import run_in_threadpool

        # Who is asking, from the headers alone, before reading a byte of the body: an anonymous request
        # must not get to make the server hold an upload-sized body.
        principal = await run_in_threadpool(_identify, headers)
        if principal is None:  # the endpoint answers 401 (or is public, like sign-up): nothing to replay
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        request_hash = _fingerprint(scope, headers, body)
        verdict = await run_in_threadpool(_reserve, principal, key, scope, request_hash)
        if isinstance(verdict, tuple):
            status, title, detail = verdict
            await send_problem(scope, send, status, title, detail)
            return
        if verdict is not None:
            await _replay(send, verdict)
            return
        captured: dict[str, object] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] = captured["body"] + message.get("body", b"")  # type: ignore[operator]
            await send(message)

        try:
            await self.app(scope, replay_receive(body), capture)
        finally:
            await run_in_threadpool(_complete, principal, key, captured)


def _fingerprint(scope: Scope, headers: Headers, body: bytes) -> str:
    """What makes two requests "the same": method, path and body, a JSON body compared by its content.

    A client that retries may serialise the same object again with other spacing or key order.
    """
    if headers.get("content-type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):  # not JSON: the endpoint refuses it; the raw bytes identify it
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(scope["method"].encode() + scope["path"].encode() + b"\0" + body).hexdigest()


def _reserve(
    principal: Principal, key: str, scope: Scope, request_hash: str
) -> IdempotencyRecord | tuple[int, str, str] | None:
    """None: go ahead (reserved). A record: replay it. A tuple: refuse with (status, title, detail)."""
    try:
        with unit_of_work(org_id=principal.org_id) as session:
            repo = IdempotencyRepository(session)
            record = repo.find(principal.actor_key, key)
            # Expired, or reserved by a process that died before answering: start afresh.
            if record is not None and (
                record.created_at < utcnow() - RETENTION
                or (record.status_code is None and record.created_at < utcnow() - ABANDONED_AFTER)
            ):
                repo.delete(record)
                record = None
            if record is None:
                repo.add(
                    IdempotencyRecord(
                        principal=principal.actor_key,
                        key=key,
                        method=scope["method"],
                        path=scope["path"],
                        request_hash=request_hash,
                    )
                )
                return None
            if record.request_hash != request_hash:
                return (
                    422,
                    "Idempotency key reused",
                    "This Idempotency-Key was used with a different request.",
                )
            if record.status_code is None:
                return 409, "Request in progress", "A request with this Idempotency-Key is still running."
            session.expunge(record)
            return record
    except IntegrityError:
        return 409, "Request in progress", "A request with this Idempotency-Key is still running."


def _complete(principal: Principal, key: str, captured: dict[str, object]) -> None:
    status = int(captured["status"])  # type: ignore[call-overload]
    with unit_of_work(org_id=principal.org_id) as session:
        repo = IdempotencyRepository(session)
        record = repo.find(principal.actor_key, key)
        if record is None:
            return
        if status >= 500:
            repo.delete(record)  # a server error is not an answer worth replaying; let the client retry
            return
        record.status_code = status
        record.response_body = captured["body"]  # type: ignore[assignment]
        headers: list[tuple[bytes, bytes]] = captured["headers"]  # type: ignore[assignment]
        kept = [(k, v) for k, v in headers if k.lower() in REPLAYED_HEADERS]
        record.response_headers = {k.decode(): v.decode() for k, v in kept}


async def _replay(send: Send, record: IdempotencyRecord) -> None:
    body = record.response_body or b""
    headers = [(k.encode(), v.encode()) for k, v in record.response_headers.items()]
    headers += [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
    await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
