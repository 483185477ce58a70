"""The jobs package's own periodic work, found by load_job_modules like any domain's jobs.py."""

from __future__ import annotations

from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.jobs.registry import periodic
from salesos.jobs.sweep import sweep


@periodic("jobs.sweep", every_seconds=lambda: get_settings().job_sweep_seconds)
def sweep_outbox(session: Session) -> None:
    """Recover lost and stale outbox rows (see salesos.jobs.sweep)."""
    sweep(session)
