"""Liveness and readiness probes."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from salesos.config import get_settings
from salesos.db.engine import get_engine

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

SCHEMA_HINTS = {
    "not migrated": "schema not migrated: run salesos migrate",
    "behind": "schema behind: run salesos migrate",
}


@dataclass(frozen=True)
class DatabaseStatus:
    """What one round trip to the app database found."""

    reachable: bool
    # Alembic revision; None when never migrated or unreadable (see ``schema``).
    revision: str | None = None
    # current | behind | not migrated | ahead | unknown (the app role may not read alembic_version)
    schema: str = "unknown"

    @property
    def schema_ok(self) -> bool:
        """Serving is safe: the schema is this code's, or newer (a rolling upgrade), or unreadable."""
        return self.schema in ("current", "ahead", "unknown")


def database_status() -> DatabaseStatus:
    """Reach the app database (bounded by the connect timeout) and read its schema revision."""
    from alembic.runtime.migration import MigrationContext

    from salesos.db.migrate import schema_state

    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.commit()
            try:
                revision = MigrationContext.configure(conn).get_current_revision()
            except Exception as exc:
                # A database migrated before the app role could read alembic_version: migrate grants it.
                log.warning("schema_revision_unreadable", error_type=type(exc).__name__)
                return DatabaseStatus(True)
    except Exception as exc:
        log.warning("database_unreachable", error_type=type(exc).__name__)
        return DatabaseStatus(False)
    return DatabaseStatus(True, revision, schema_state(revision))


def database_ok() -> bool:
    """True when the app database answers a trivial query."""
    return database_status().reachable


def queue_ok() -> bool:
    """True when the job queue (SQLite file or Redis) is reachable."""
    from salesos.jobs.queue import queue_ping

    return queue_ping()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz() -> JSONResponse:
    """Ready to serve: database reachable with this code's schema, and queue reachable."""
    db = database_status()
    checks = {"database": db.reachable, "schema": db.reachable and db.schema_ok, "queue": queue_ok()}
    ok = all(checks.values())
    body: dict[str, object] = {
        "status": "ok" if ok else "unavailable",
        "mode": get_settings().mode,
        "checks": {k: "ok" if v else "fail" for k, v in checks.items()},
    }
    if db.reachable and db.schema in SCHEMA_HINTS:
        body["detail"] = SCHEMA_HINTS[db.schema]
    return JSONResponse(body, status_code=200 if ok else 503)
