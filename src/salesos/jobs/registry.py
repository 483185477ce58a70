"""Which jobs and periodic jobs exist: filled by @job / @periodic in each domain's jobs.py."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from salesos.jobs import conf

JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class JobFailure:
    """One failed run of a job, as its ``on_failure`` hook sees it."""

    # "ExceptionType: message", as stored in the outbox row's last_error.
    error: str
    # The exception itself; None when the sweep gave up on a run whose worker was lost.
    exception: BaseException | None
    attempt: int
    max_attempts: int
    # When the next attempt is due; None when there is none (the job is dead).
    retry_at: datetime | None

    @property
    def dead(self) -> bool:
        """No attempt is left: the job will not run again unless an operator retries it."""
        return self.retry_at is None


@dataclass(frozen=True)
class JobSpec:
    """A registered job: ``func(session, **payload)``."""

    name: str
    func: Callable[..., Any]
    max_attempts: int | None
    # Tenant jobs take org_id; enqueue refuses them without one so no job runs unscoped by accident.
    tenant: bool
    # ``on_failure(session, failure, **payload)``: called in the transaction that records each failed run
    # (retrying or dead), so the domain can show what went wrong; see runner.report_failure.
    on_failure: Callable[..., Any] | None = None


@dataclass(frozen=True)
class PeriodicSpec:
    """A job enqueued once per tick of ``every_seconds`` across the whole cluster."""

    name: str
    every_seconds: float | Callable[[], float]

    def interval(self) -> float:
        """Seconds between ticks, after test/ops overrides."""
        override = conf.periodic_overrides().get(self.name)
        if override is not None:
            return override
        value = self.every_seconds() if callable(self.every_seconds) else self.every_seconds
        return max(float(value), 0.5)


_jobs: dict[str, JobSpec] = {}
_periodics: dict[str, PeriodicSpec] = {}
_load_lock = threading.Lock()


def _register(spec: JobSpec) -> None:
    if not JOB_NAME.match(spec.name):
        raise ValueError(f"job name {spec.name!r} must look like 'domain.action'")
    existing = _jobs.get(spec.name)
    # Re-importing the same function (reloads, tests) is fine; two functions sharing a name is a bug.
    if existing and _origin(existing.func) != _origin(spec.func):
        raise ValueError(f"job {spec.name!r} is already registered by {_origin(existing.func)}")
    _jobs[spec.name] = spec


def _origin(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def job(
    name: str, *, max_attempts: int | None = None, on_failure: Callable[..., Any] | None = None
) -> Callable[[F], F]:
    """Register ``func(session, *, org_id, ...)`` as the job *name* ("domain.action").

    *on_failure* is ``hook(session, failure: JobFailure, **payload)``, run with the failure's record.
    """

    def decorator(func: F) -> F:
        params = inspect.signature(func).parameters
        _register(JobSpec(name, func, max_attempts, tenant="org_id" in params, on_failure=on_failure))
        return func

    return decorator


def periodic(
    name: str, every_seconds: float | Callable[[], float], *, max_attempts: int = 1
) -> Callable[[F], F]:
    """Register ``func(session)`` to run once per *every_seconds* tick, cluster-wide."""

    def decorator(func: F) -> F:
        # One attempt by default: the next tick is the retry, and overlapping retries help nobody.
        _register(JobSpec(name, func, max_attempts, tenant=False))
        _periodics[name] = PeriodicSpec(name, every_seconds)
        return func

    return decorator


def get_job(name: str) -> JobSpec | None:
    """The job registered as *name*, if any."""
    return _jobs.get(name)


def jobs() -> list[JobSpec]:
    """Every registered job, sorted by name."""
    return [_jobs[name] for name in sorted(_jobs)]


def periodics() -> list[PeriodicSpec]:
    """Every registered periodic job, sorted by name."""
    return [_periodics[name] for name in sorted(_periodics)]


def job_module_names() -> list[str]:
    """``salesos.<pkg>.jobs`` for every subpackage that has one, plus configured extra modules."""
    import salesos

    names = []
    for info in pkgutil.iter_modules(salesos.__path__):
        if info.ispkg and importlib.util.find_spec(f"salesos.{info.name}.jobs") is not None:
            names.append(f"salesos.{info.name}.jobs")
    return sorted(names) + conf.extra_job_modules()


def load_job_modules() -> list[str]:
    """Import every jobs module so the registry is complete; returns the module names."""
    names = job_module_names()
    with _load_lock:
        for module in names:
            # No try/except: a jobs.py that fails to import must stop the worker, not drop its jobs.
            importlib.import_module(module)
    return names
