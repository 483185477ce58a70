"""Error rendering: RFC 7807 problem+json for the API, friendly pages (or a login redirect) for people."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from salesos.errors import DomainError, Unauthorized

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


def wants_html(request: Request) -> bool:
    """Browser navigation (not /api, not HTMX-less fetch of JSON) gets HTML errors."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem_response(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """Render a problem for the API or as an HTML page for a browser."""
    body.setdefault("instance", request.url.path)
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    if wants_html(request):
        from salesos.web.templating import render_error

        return render_error(request, status, body, headers)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, Unauthorized) and wants_html(request) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return problem_response(request, exc.status_code, exc.problem(), exc.headers)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(
            request,
            400,
            {
                "type": "about:blank",
                "title": "Malformed JSON",
                "status": 400,
                "detail": "The request body is not valid JSON.",
            },
        )
    if errors and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
        # /leads/not-an-id names nothing that exists: the same 404 as an id that is well formed but unknown.
        body = {"type": "about:blank", "title": "Not found", "status": 404, "detail": "Not found"}
        return problem_response(request, 404, body)
    fields = []
    for e in errors:
        message = str(e.get("msg", "Invalid value"))
        if e.get("type") == "extra_forbidden":
            message = "Unknown field."
        elif e.get("type") == "value_error":
            # Our validators' own words, without pydantic's "Value error, " prefix.
            message = str(e.get("ctx", {}).get("error", message))
        fields.append({"field": _field_name(tuple(e.get("loc", ()))), "message": message})
    return problem_response(
        request,
        422,
        {
            "type": "about:blank",
            "title": "Validation failed",
            "status": 422,
            "detail": "Some fields are invalid.",
            "errors": fields,
        },
    )


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
    body = {
        "type": "about:blank",
        "title": titles.get(exc.status_code, "Error"),
        "status": exc.status_code,
        "detail": exc.detail if isinstance(exc.detail, str) else titles.get(exc.status_code, "Error"),
    }
    return problem_response(request, exc.status_code, body, dict(exc.headers or {}))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    # The trace goes to the log with the request id; the client gets the id, never the trace.
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return problem_response(
        request,
        500,
        {
            "type": "about:blank",
            "title": "Internal server error",
            "status": 500,
            "detail": "Something went wrong on our side. It has been logged.",
        },
    )


def install(app: FastAPI) -> None:
    """Register the handlers on *app*."""
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)
