"""Progressive web app: the manifest, the service worker (served at the root scope) and the offline page."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from salesos import __version__
from salesos.web.templating import WEB_DIR, render, templates

router = APIRouter(include_in_schema=False)

THEME_COLOR = "#4338ca"
BACKGROUND_COLOR = "#ffffff"
# What the service worker precaches on install: the offline page's look, a cached lead page's own styles,
# and every script a cached lead page loads (all of static/*.js, so a new script is never missing offline).
SHELL_ASSETS = [
    "/static/app.css",
    "/static/lead.css",
    "/static/vendor/htmx.min.js",
    *sorted(f"/static/{p.name}" for p in (WEB_DIR / "static").glob("*.js")),
    "/static/icons/icon-192.png",
    "/static/icons/icon-512.png",
    "/static/icons/icon-maskable-512.png",
]
OFFLINE_PATH = "/offline"
# How many lead pages the worker keeps for offline reading (least recently viewed evicted first).
OFFLINE_LEAD_LIMIT = 50


@lru_cache
def shell_version() -> str:
    """App version plus a digest of the static files, the offline page and the worker's own template.

    Static files are served cache-first, so any change to one must install a new worker and cache.
    """
    digest = hashlib.sha256(__version__.encode())
    static = WEB_DIR / "static"
    files = sorted(p for p in static.rglob("*") if p.is_file())
    pages = [WEB_DIR / "templates" / "web" / "offline.html", WEB_DIR / "templates" / "pwa" / "sw.js"]
    for path in [*files, *pages]:
        digest.update(path.relative_to(WEB_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}-{digest.hexdigest()[:12]}"


def manifest() -> dict[str, object]:
    """The web app manifest (install name, colours, icons)."""
    return {
        "name": "SalesOS",
        "short_name": "SalesOS",
        "description": "The open-source sales operating system.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": "/static/icons/icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }


@router.get("/manifest.webmanifest")
def manifest_route() -> Response:
    """The manifest, with its registered media type."""
    return JSONResponse(
        manifest(), media_type="application/manifest+json", headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker; served from the root so its scope can be the whole app."""
    body = templates.get_template("pwa/sw.js").render(
        version=shell_version(),
        shell=[OFFLINE_PATH, *SHELL_ASSETS],
        offline=OFFLINE_PATH,
        lead_limit=OFFLINE_LEAD_LIMIT,
    )
    # no-cache: the browser must revalidate the worker on every check, or fixes would never arrive.
    return Response(
        body,
        media_type="application/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get(OFFLINE_PATH, response_class=HTMLResponse)
def offline(request: Request) -> Response:
    """Shown by the service worker when a page can't be reached; holds nobody's data, so it may be cached."""
    request.state.principal = None
    return render(request, "web/offline.html", {})
