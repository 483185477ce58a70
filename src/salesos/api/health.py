"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from salesos.config import get_settings
from salesos.db.engine import get_engine

router = APIRouter(include_in_schema=False)


def database_ok() -> bool:
    """True when the app database answers a trivial query."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


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
    """Ready to serve: database and queue reachable."""
    checks = {"database": database_ok(), "queue": queue_ok()}
    ok = all(checks.values())
    body = {
        "status": "ok" if ok else "unavailable",
        "mode": get_settings().mode,
        "checks": {k: "ok" if v else "fail" for k, v in checks.items()},
    }
    return JSONResponse(body, status_code=200 if ok else 503)
