"""Job knobs parsed from Settings (SALESOS_QUEUE_NAME, SALESOS_EXTRA_JOB_MODULES, ...)."""

from __future__ import annotations

from salesos.config import get_settings


def queue_name() -> str:
    """Huey queue name; distinct names let deployments (and tests) share one Redis."""
    return get_settings().queue_name


def extra_job_modules() -> list[str]:
    """Modules outside salesos.<pkg>.jobs that register jobs."""
    return [part.strip() for part in get_settings().extra_job_modules.split(",") if part.strip()]


def periodic_overrides() -> dict[str, float]:
    """Interval overrides parsed from ``name=seconds,name=seconds``."""
    overrides: dict[str, float] = {}
    for part in get_settings().periodic_intervals.split(","):
        if "=" in part:
            name, seconds = part.split("=", 1)
            overrides[name.strip()] = float(seconds)
    return overrides


def retention_days() -> float:
    """How long finished rows (and so their dedup keys) are kept before the sweep purges them."""
    return get_settings().job_retention_days
