"""structlog setup: JSON lines (or console in development), request id bound per request."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from salesos.config import get_settings

# Keys whose values never reach a log line, wherever they appear in an event.
REDACTED_KEYS = frozenset(
    {
        "password",
        "token",
        "access_token",
        "refresh_token",
        "secret",
        "authorization",
        "cookie",
        "body",
        "text",
        "html",
        "key",
        "current_password",
    }
)


def _redact(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in REDACTED_KEYS:
            event[key] = "[redacted]"
    return event


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test capture and daemonisers swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


class _DropUvicornTraceback(logging.Filter):
    """uvicorn logs "Exception in ASGI application" with the trace the app already logged.

    Our error handler writes that trace once, as ``unhandled_error`` with the request id the client got;
    uvicorn's copy (re-raised by Starlette after the 500 was sent) would only be a second, unlabelled one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Exception in ASGI application"


_HANDLER_MARK = "_salesos_handler"
# Loggers that install their own handlers (uvicorn's dictConfig) are sent through ours instead.
ROUTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "huey", "huey.consumer", "alembic")


def configure_logging() -> None:
    """Configure structlog and stdlib logging (uvicorn, Huey, Alembic) once per process, one format."""
    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.json_logs
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, _redact, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Resolve sys.stderr per logger, not once: test capture and daemonisers swap it.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Standard-library records (uvicorn, Huey, Alembic, anything else) get the same processors and
    # renderer, so a production log is JSON lines throughout.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers.clear()
        routed.propagate = True
        routed.setLevel(logging.NOTSET)
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropUvicornTraceback) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(_DropUvicornTraceback())
    # uvicorn narrates startup at INFO; `salesos serve` prints its own line.
    logging.getLogger("uvicorn").setLevel(max(level, logging.WARNING))
    # Huey logs every task execution at INFO; our job runner already logs outcomes with context.
    logging.getLogger("huey").setLevel(max(level, logging.WARNING))
    # httpx logs every outgoing request at INFO, full URL included; providers log their own outcomes.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    # Alembic narrates every plugin and revision at INFO; `salesos migrate` prints its own summary.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
