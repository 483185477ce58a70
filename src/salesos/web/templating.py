"""Jinja2 environment shared by every HTML view, and the HTML error page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from salesos import __version__
from salesos.auth.security import mask_csrf_token
from salesos.config import get_settings
from salesos.web.markdown import render_markdown

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
# Outside development the templates never change under a running process: without this, Jinja stats the
# file on every render and every include (160 stats for one board page of 150 cards).
templates.env.auto_reload = get_settings().env == "development"
templates.env.globals["version"] = __version__
# Read at render time: tests and `serve` change settings after this module is imported.
templates.env.globals["signup_open"] = lambda: get_settings().signup_open
templates.env.filters["markdown"] = render_markdown
templates.env.filters["mask_csrf"] = mask_csrf_token  # a page never carries the bare token
# One URL answers HTMX with a fragment and a browser with the whole page. Without this the browser's HTTP
# cache, which Back/Forward reads without asking the server, shows a filter bar's fragment as the page.
VARY = "HX-Request, HX-History-Restore-Request"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render template *name* with the request's principal (if any) available as ``principal``."""
    ctx: dict[str, Any] = {"principal": getattr(request.state, "principal", None)}
    ctx.update(context or {})
    return templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers={"Vary": VARY, **(headers or {})}
    )


def render_error(
    request: Request, status: int, problem: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """A friendly error page; HTMX requests get just the message fragment."""
    if request.headers.get("hx-request"):
        # The fragment goes to the page's message area, not into whatever the request meant to replace.
        hx_headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", **(headers or {})}
        return render(
            request,
            "_error_fragment.html",
            {"problem": problem, "status": status},
            status_code=status,
            headers=hx_headers,
        )
    return render(
        request, "error.html", {"problem": problem, "status": status}, status_code=status, headers=headers
    )
