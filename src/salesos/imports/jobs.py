"""Background work of the imports domain."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from salesos.imports.service.runner import run_import
from salesos.jobs import job


@job("imports.run")
def run(session: Session, *, org_id: uuid.UUID, import_id: uuid.UUID) -> None:
    """Import the stored CSV; a rerun resumes at the committed rows_done and a finished import is a no-op."""
    # The runner commits per batch in its own transactions; this job's session stays unused so on
    # SQLite it takes no write lock that the batches would wait on.
    run_import(org_id, import_id)
