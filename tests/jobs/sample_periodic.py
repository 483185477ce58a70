"""A one-second periodic job, imported only by worker subprocesses (it would tick in every consumer)."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from salesos.jobs import current_job, periodic
from tests.jobs.sample_jobs import append


@periodic("tests.tick", every_seconds=1)
def tick(session: Session) -> None:
    """Record which tick ran, and where."""
    ctx = current_job()
    assert ctx is not None
    append("tick", ctx.dedup_key, os.getpid())
