"""Job knobs not (yet) on Settings: read from Settings when present, else from SALESOS_* variables."""

from __future__ import annotations

import os

from salesos.config import get_settings

DEFAULT_QUEUE_NAME = "salesos"
DEFAULT_RETENTION_DAYS = 7.0


def _raw(name: str) -> str | None:
    # Prefer a Settings field once config.py grows one, so .env files work the same way.
    value = getattr(get_settings(), name, None)
    if value is not None:
        return str(value)
    return os.environ.get(f"SALESOS_{name.upper()}")


def queue_name() -> str:
    """Huey queue name; distinct names let deployments (and tests) share one Redis."""
    return _raw("queue_name") or DEFAULT_QUEUE_NAME


def extra_job_modules() -> list[str]:
    """Modules outside salesos.<pkg>.jobs that register jobs (comma separated; tests use it)."""
    raw = _raw("extra_job_modules") or ""
    return [part.strip() for part in raw.split(",") if part.strip()]


def periodic_overrides() -> dict[str, float]:
    """Interval overrides as ``name=seconds,name=seconds`` (tests shorten periodic jobs with it)."""
    raw = _raw("periodic_intervals") or ""
    overrides: dict[str, float] = {}
    for part in raw.split(","):
        if "=" in part:
            name, seconds = part.split("=", 1)
            overrides[name.strip()] = float(seconds)
    return overrides


def retention_days() -> float:
    """How long finished rows (and so their dedup keys) are kept before the sweep purges them."""
    raw = _raw("job_retention_days")
    return float(raw) if raw else DEFAULT_RETENTION_DAYS
