"""The ceiling for the API benchmarks: the smallest FastAPI JSON endpoint, served like SalesOS.

The endpoint is a plain ``def`` on purpose: SalesOS endpoints are sync (sync SQLAlchemy session), so
FastAPI runs them in the threadpool. An ``async def`` hello world would skip the threadpool hop and
measure a ceiling our endpoints can never reach by design; this one differs from ours only by the
work the endpoint does (auth, database, serialisation, middleware).
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    """A FastAPI app with one JSON route, ``GET /hello``."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/hello")
    def hello() -> dict[str, str]:
        """A small JSON dict."""
        return {"message": "hello", "status": "ok"}

    return app
