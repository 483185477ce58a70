"""Pure-ASGI middleware (no BaseHTTPMiddleware: it buffers streams and costs throughput)."""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

import structlog
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesos.api.problems import problem_response
from salesos.api.schemas import NUL_MESSAGE

log = structlog.get_logger("salesos.http")

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes allowed to receive more than the body limit (uploads, webhook batches), each with its own
# ceiling, enforced here before anything reads the body (an anonymous request included).
_LARGE_BODY_ROUTES: dict[str, tuple[re.Pattern[str], int]] = {}


# Paths whose last part is a credential (a reset or invitation link, a calendar feed address, a push
# message's signed snooze link): the access log keeps the route and drops the secret.
_SECRET_PATH = re.compile(r"^(/(?:reset-password|invite|calendar/feed|notifications/snooze)/)[^/]+$")


def loggable_path(path: str) -> str:
    """*path* with any secret token replaced, fit for a log line."""
    return _SECRET_PATH.sub(r"\1[redacted]", path)


def allow_large_body(path_pattern: str, max_bytes: int) -> None:
    """Let the paths that fully match *path_pattern* receive up to *max_bytes* instead of the global limit.

    A full match, not a prefix: a small JSON endpoint next to an upload keeps the 1 MiB limit.
    """
    _LARGE_BODY_ROUTES[path_pattern] = (re.compile(path_pattern), max_bytes)


def body_limit_of(path: str, default: int) -> int:
    """The most bytes a request to *path* may send."""
    for pattern, max_bytes in _LARGE_BODY_ROUTES.values():
        if pattern.fullmatch(path):
            return max_bytes
    return default


# Where a form may send the browser, redirects included: browsers check every hop of a form submission's
# redirect chain against form-action. The lead page's WhatsApp form logs the chat, then answers 303 to
# wa.me, which redirects on to api.whatsapp.com/send (and some browsers straight to the app's whatsapp:
# scheme); a hop left out blocks the navigation and the new tab stays blank.
FORM_ACTION_SOURCES = ("'self'", "https://wa.me", "https://api.whatsapp.com", "whatsapp:")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(self), geolocation=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; connect-src 'self'; frame-src https://www.openstreetmap.org; "
        b"frame-ancestors 'none'; base-uri 'self'; form-action " + " ".join(FORM_ACTION_SOURCES).encode(),
    ),
]


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
) -> None:
    """Answer with problem+json from middleware, in the same shape as the app's exception handlers."""
    problem: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        problem["errors"] = errors
    problem["instance"] = scope["path"]
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        problem["request_id"] = request_id
    body = json.dumps(problem, ensure_ascii=False, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    """The whole request body, read from *receive* (bounded by BodyLimitMiddleware further out)."""
    body = await read_body_up_to(receive, None)
    assert body is not None  # no ceiling of its own
    return body


async def read_body_up_to(receive: Receive, max_bytes: int | None) -> bytes | None:
    """The whole request body, or None as soon as it passes *max_bytes*: for a reader with a lower
    ceiling than the route's."""
    chunks = []
    received = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        received += len(chunk)
        if max_bytes is not None and received > max_bytes:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def replay_receive(body: bytes) -> Receive:
    """A ``receive`` that hands the app *body*, already read, as if it were arriving."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class RequestContextMiddleware:
    """Request id (echoed as X-Request-ID), security headers, and one access log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id", "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_holder: dict[str, Any] = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                extra = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
                own = message.get("headers", [])
                if message["status"] == 204:
                    # FastAPI keeps the route's JSON content type on a 204 while dropping the body; a
                    # response without content says nothing of a type.
                    own = [(k, v) for k, v in own if k.lower() != b"content-type"]
                message["headers"] = list(own) + extra
            await send(message)

        raised = True
        try:
            await self.app(scope, receive, send_wrapper)
            raised = False
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=loggable_path(scope["path"]),
                status=status_holder["status"],
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            # An unhandled error is logged after us, by the outermost handler: it needs the id the client
            # got. The id dies with the request's task either way.
            if not raised:
                structlog.contextvars.unbind_contextvars("request_id")


class BodyLimitMiddleware:
    """413 for bodies over the limit (the route's own for uploads), by Content-Length or by counting a
    chunked stream."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.default_max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = body_limit_of(scope["path"], self.default_max_bytes)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            await self._refuse(scope, send, max_bytes)
            return
        received = 0
        overflowed = False

        async def counting_receive() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    overflowed = True
                    raise _BodyTooLarge()
            return message

        async def send_unless_overflowed(message: Message) -> None:
            # FastAPI turns any error while reading the body into its own 400; the answer is our 413.
            if not overflowed:
                await send(message)

        with contextlib.suppress(_BodyTooLarge):  # raised through the app when it read on regardless
            await self.app(scope, counting_receive, send_unless_overflowed)
        if overflowed:
            await self._refuse(scope, send, max_bytes)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, max_bytes: int) -> None:
        detail = f"Request bodies are limited to {max_bytes} bytes."
        await send_problem(scope, send, 413, "Payload too large", detail)


class _BodyTooLarge(Exception):
    pass


class OriginCheckMiddleware:
    """Refuse cross-site unsafe requests: to the API when they carry cookies (CSRF defence in depth), to a
    page whatever they carry.

    A page's form posted from another site is refused even without a cookie: the session cookie is
    SameSite=Lax, so a cross-site POST never has one, and the forms that need none (sign-in, sign-up,
    accepting an invitation) would otherwise sign the victim's browser into the attacker's account. An
    opaque origin ("null": a sandboxed frame) counts as another site there. API calls without cookies
    come from scripts and the browser extension with a bearer token, and cross origins by design.
    """

    def __init__(self, app: ASGIApp, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin and self._refused(scope["path"], origin, headers):
                await send_problem(scope, send, 403, "Forbidden", "Cross-site request refused.")
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _refused(path: str, origin: str, headers: Headers) -> bool:
        if path.startswith("/api/"):
            return (
                origin != "null" and "cookie" in headers and origin.split("://", 1)[-1] != headers.get("host")
            )
        return origin == "null" or origin.split("://", 1)[-1] != headers.get("host", "")


_URLENCODED = "application/x-www-form-urlencoded"


def _field_with_nul(encoded: bytes, where: str) -> str | None:
    """The first field of urlencoded *encoded* whose name or value holds a NUL (*where*: a nameless one)."""
    if b"%00" not in encoded and b"\x00" not in encoded:
        return None  # the common case: no parsing
    for name, value in parse_qsl(encoded.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or where
    return None


def _is_form_post(scope: Scope) -> bool:
    """An urlencoded form (multipart ones carry files, where a NUL byte is data)."""
    if scope["method"] not in UNSAFE_METHODS:
        return False
    return Headers(scope=scope).get("content-type", "").startswith(_URLENCODED)


class NulCharacterMiddleware:
    """A NUL character in the path is a 404; in the query string or an urlencoded form, a 422.

    PostgreSQL refuses NUL in text (the driver raises, a 500) where SQLite stores it. JSON bodies are
    checked by ``StrictInput``; this covers the other ways text comes in, for every route at once.
    """

    def __init__(self, app: ASGIApp, max_form_bytes: int) -> None:
        self.app = app
        # An urlencoded form is read whole here, before any authentication: it gets the global limit even
        # on an upload route (whose files come multipart), so nobody can make the server hold 100 MB.
        self.max_form_bytes = max_form_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:
            # A path with a NUL names nothing that exists, like a malformed id.
            not_found = {"type": "about:blank", "title": "Not found", "status": 404, "detail": "Not found"}
            await self._answer(scope, receive, send, not_found)
            return
        field = _field_with_nul(scope["query_string"], "query")
        if field is None and _is_form_post(scope):
            body = await read_body_up_to(receive, self.max_form_bytes)
            if body is None:
                detail = f"Forms are limited to {self.max_form_bytes} bytes."
                await send_problem(scope, send, 413, "Payload too large", detail)
                return
            field = _field_with_nul(body, "form")
            receive = replay_receive(body)
        if field is not None:
            await self._answer(scope, receive, send, self._invalid(field))
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _invalid(field: str) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": "Validation failed",
            "status": 422,
            # The sentence itself, as ValidationFailed gives it: the error page shows the detail only.
            "detail": NUL_MESSAGE,
            "errors": [{"field": field, "message": NUL_MESSAGE}],
        }

    @staticmethod
    async def _answer(scope: Scope, receive: Receive, send: Send, problem: dict[str, Any]) -> None:
        # problem+json for the API, the error page (or HTMX fragment) for a browser, as the handlers do.
        response = problem_response(Request(scope), problem["status"], problem)
        await response(scope, receive, send)
