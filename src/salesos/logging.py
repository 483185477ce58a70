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


def configure_logging() -> None:
    """Configure stdlib logging and structlog once per process."""
    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Resolve sys.stderr per logger, not once: test capture and daemonisers swap it.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    # Huey logs every task execution at INFO; our job runner already logs outcomes with context.
    logging.getLogger("huey").setLevel(max(level, logging.WARNING))
    # Alembic narrates every plugin and revision at INFO; `salesos migrate` prints its own summary.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
