"""create_app(): the ASGI application with its lifespan, middleware and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from salesos import __version__
from salesos.api import problems
from salesos.api.health import router as health_router
from salesos.api.idempotency import IdempotencyMiddleware, document_key
from salesos.api.middleware import (
    BodyLimitMiddleware,
    NulCharacterMiddleware,
    OriginCheckMiddleware,
    RequestContextMiddleware,
)
from salesos.api.query import refuse_unread_parameters_under
from salesos.api.schemas import document_body_models
from salesos.auth.api import router as auth_router
from salesos.auth.deps import get_principal
from salesos.calendar.api import router as calendar_router
from salesos.campaigns.api import router as campaigns_router
from salesos.config import Settings, get_settings
from salesos.imports.api import router as imports_router
from salesos.intake.api import router as intake_router
from salesos.leads.api import router as leads_router
from salesos.leads.directory_api import router as directory_router
from salesos.leads.list_api import router as lead_list_router
from salesos.leads.merge_api import router as merge_router
from salesos.leads.pipeline_api import router as pipelines_router
from salesos.logging import configure_logging
from salesos.notifications.api import router as notifications_router
from salesos.orgs.api import router as orgs_router
from salesos.push.api import router as push_router
from salesos.realtime.api import build_router as build_events_router
from salesos.realtime.hub import get_hub
from salesos.web.templating import WEB_DIR

API_PREFIX = "/api/v1"
log = structlog.get_logger(__name__)


def _start_in_process_worker() -> Any:
    """Embedded mode runs the job consumer and scheduler inside the web process.

    ``start_consumer(in_process=True)`` never installs Huey's signal handlers (and puts back
    SIGINT/SIGTERM/SIGHUP if anything did), so uvicorn stays in charge of shutdown.
    """
    from salesos.jobs.worker import start_consumer

    return start_consumer(in_process=True, periodic=True)


def _warn_about_configuration(settings: Settings) -> None:
    """Log, at startup, settings that work but that an operator almost certainly did not mean."""
    if settings.mails_to_console:
        log.warning(
            "console_email_in_production",
            detail="password-reset and invitation links are written to stdout, not mailed; "
            "set SALESOS_EMAIL_PROVIDER=smtp",
        )
    if settings.jobs_in_process and not settings.run_worker_in_process:
        log.warning(
            "no_job_consumer",
            detail="SALESOS_RUN_WORKER_IN_PROCESS=false without SALESOS_REDIS_URL: nothing runs jobs",
        )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    from salesos.jobs.registry import load_job_modules

    load_job_modules()
    hub = get_hub()
    await hub.start()
    consumer = None
    # Without Redis the queue is the local SQLite file and no `salesos worker` is expected: this process
    # consumes it, with SQLite (embedded) or PostgreSQL (single-server) alike.
    if settings.jobs_in_process and settings.run_worker_in_process:
        consumer = _start_in_process_worker()
    _warn_about_configuration(settings)
    try:
        yield
    finally:
        if consumer is not None:
            consumer.stop()
        await hub.stop()


def api_router() -> APIRouter:
    """Every JSON route under /api/v1."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(auth_router)
    router.include_router(orgs_router)
    router.include_router(lead_list_router)  # before leads: /leads/bulk is not a lead id
    router.include_router(leads_router)
    router.include_router(pipelines_router)
    router.include_router(merge_router)
    router.include_router(directory_router)
    router.include_router(intake_router)
    router.include_router(imports_router)
    router.include_router(campaigns_router)
    router.include_router(notifications_router)
    router.include_router(calendar_router)
    router.include_router(push_router)
    router.include_router(build_events_router(get_principal))
    return router


def create_app() -> FastAPI:
    """Build the application (one per process; tests build one per configuration)."""
    settings = get_settings()
    configure_logging()
    app = FastAPI(
        title="SalesOS API",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    problems.install(app)
    app.include_router(health_router)
    app.include_router(api_router())
    # On the app's own copies of the routes (including a router copies them): a parameter an API route
    # doesn't read, or one it reads once given twice, is a 422 rather than silently ignored.
    refuse_unread_parameters_under(app.routes, API_PREFIX)
    from salesos.web.views import router as web_router

    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    build_openapi = app.openapi

    def openapi_with_idempotency_key() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_body_models(document_key(build_openapi()))
        return app.openapi_schema

    app.openapi = openapi_with_idempotency_key  # type: ignore[method-assign]
    # Added in reverse: compression wraps everything, the idempotency layer sits innermost (it stores and
    # replays plain bodies, whatever encoding the replay's client accepts).
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(OriginCheckMiddleware, cookie_name=settings.session_cookie)
    # Inside the body limit: a form it reads whole is at most max_body_bytes.
    app.add_middleware(NulCharacterMiddleware, max_form_bytes=settings.max_body_bytes)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    # A board page is about 280 KB of HTML and 17 KB gzipped. Event streams are left alone (Starlette's
    # default exclusion); pages carry their CSRF token masked, so compressing them leaks nothing (BREACH).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    return app
