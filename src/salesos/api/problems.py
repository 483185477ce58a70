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
# A path parameter's 404 as its service words it, where that is not "<Name> not found." after its name.
_NOT_FOUND = {
    "api_key_id": "API key not found.",
    "subscription_id": "Device not found.",
    "suggestion_id": "Merge suggestion not found.",
    # The campaigns service's words, full stop missing: the two answers must be identical.
    "campaign_id": "Campaign not found",
    "prospect_id": "Prospect not found",
}


class MalformedJson(DomainError):
    """A body that is not JSON: bad syntax, not UTF-8, or nested deeper than the parser goes."""

    status_code = 400
    title = "Malformed JSON"

    def __init__(self) -> None:
        super().__init__("The request body is not valid JSON.")


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


def error_message(error: dict[str, Any]) -> str:
    """The sentence a client gets for one Pydantic error: our validators' own words, without pydantic's
    "Value error, " prefix, and no model class names."""
    kind = error.get("type")
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "Invalid value")))
    if kind == "model_type":  # "... a valid dictionary or instance of CompanyIn"
        return "Must be a JSON object."
    return str(error.get("msg", "Invalid value"))


def _not_found_detail(loc: tuple[Any, ...]) -> str:
    """What the route's own 404 says for an unknown id in the path parameter at *loc* ("Lead not found.")."""
    name = str(loc[1]) if len(loc) > 1 else ""
    if name in _NOT_FOUND:
        return _NOT_FOUND[name]
    if not name.endswith("_id"):
        return "Not found"
    return name.removesuffix("_id").replace("_", " ").capitalize() + " not found."


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
        return problem_response(request, 400, MalformedJson().problem())
    if errors and all(tuple(e.get("loc", ()))[:1] == ("path",) for e in errors):
        # /leads/not-an-id names nothing that exists: the same 404 as an id that is well formed but unknown.
        detail = _not_found_detail(tuple(errors[0].get("loc", ())))
        body = {"type": "about:blank", "title": "Not found", "status": 404, "detail": detail}
        return problem_response(request, 404, body)
    fields = [{"field": _field_name(tuple(e.get("loc", ()))), "message": error_message(e)} for e in errors]
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
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError | RecursionError):
        # FastAPI's own 400 ("There was an error parsing the body") for a JSON body that is not UTF-8 or
        # is nested too deep: the same problem as any other malformed JSON.
        return problem_response(request, 400, MalformedJson().problem())
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
