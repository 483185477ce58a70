"""Background jobs: @job/@periodic registry, transactional outbox, Huey relay, sweep.

Domains declare jobs in ``salesos/<domain>/jobs.py`` and enqueue them from services with
``enqueue(session, "domain.action", org_id=..., thing_id=...)`` inside the request's transaction.
"""

from salesos.jobs.outbox import enqueue
from salesos.jobs.registry import JobFailure, job, load_job_modules, periodic
from salesos.jobs.runner import PermanentJobError, current_job

__all__ = ["JobFailure", "PermanentJobError", "current_job", "enqueue", "job", "load_job_modules", "periodic"]
