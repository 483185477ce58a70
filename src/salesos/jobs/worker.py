"""Consumers: embedded in the web process (start_consumer) or standalone (run_worker)."""

from __future__ import annotations

import gc
import os
import signal
import threading
from dataclasses import dataclass
from typing import Any

import structlog
from huey.consumer import Consumer, Scheduler

from salesos.config import get_settings
from salesos.jobs.queue import get_huey
from salesos.jobs.registry import load_job_modules
from salesos.jobs.scheduler import PeriodicTicker

log = structlog.get_logger(__name__)

# The default 10 s idle back-off would make embedded mode feel stuck; one poll a second is cheap.
MAX_POLL_DELAY = 1.0
SHUTDOWN_TIMEOUT = 10.0
HOST_SIGNALS = [s for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s)]


class _OutboxScheduler(Scheduler):  # type: ignore[misc]
    """Huey's scheduler thread (1 s loop), also driving our second-granular periodic ticks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticker = PeriodicTicker()

    def loop(self, now: Any = None) -> None:
        if self.periodic:
            self.ticker.check()
        super().loop(now)


class _Consumer(Consumer):  # type: ignore[misc]
    scheduler_class = _OutboxScheduler


class _EmbeddedConsumer(_Consumer):
    def _set_signal_handlers(self) -> None:
        # The host (uvicorn) owns the process's signals; it stops us from its lifespan instead.
        pass


def _consumer(cls: type[_Consumer], periodic: bool) -> _Consumer:
    return cls(
        get_huey(),
        workers=get_settings().job_workers,
        periodic=periodic,
        worker_type="thread",
        max_delay=MAX_POLL_DELAY,
        scheduler_interval=1,
        # Containers stop with SIGTERM: finish running jobs (bounded), then exit.
        graceful_signal="TERM",
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )


@dataclass
class ConsumerHandle:
    """A running in-process consumer (or a no-op one); call stop() at shutdown."""

    consumer: _Consumer | None

    def stop(self) -> None:
        """Stop polling and wait (bounded) for running jobs to finish."""
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
            self.consumer = None
            log.info("consumer_stopped", mode="in-process")


def freeze_loaded_code() -> None:
    """Take what this worker has loaded so far (modules, schemas, metadata) out of the GC's full passes.

    Those objects live as long as the process, yet every full collection walked all of them: a
    100,000-row import made 40 full passes over some 200,000 objects, 5 of its 31 s
    (docs/benchmarks.md, P1). Frozen objects are never collected, which is right for code and data
    loaded once; what a job allocates later is collected as usual.
    """
    gc.collect()
    gc.freeze()


def start_consumer(in_process: bool, periodic: bool) -> ConsumerHandle:
    """Start worker threads inside this process (embedded mode); no-op handle when not in_process."""
    load_job_modules()
    if not in_process:
        return ConsumerHandle(None)
    freeze_loaded_code()
    consumer = _consumer(_EmbeddedConsumer, periodic)
    in_main = threading.current_thread() is threading.main_thread()
    saved = {name: signal.getsignal(getattr(signal, name)) for name in HOST_SIGNALS} if in_main else {}
    try:
        consumer.start()
    finally:
        # Belt and braces for Huey versions that install handlers elsewhere: uvicorn keeps its own.
        for name, handler in saved.items():
            if handler is not None and signal.getsignal(getattr(signal, name)) is not handler:
                signal.signal(getattr(signal, name), handler)
    log.info("consumer_started", mode="in-process", workers=get_settings().job_workers, periodic=periodic)
    return ConsumerHandle(consumer)


def run_worker(periodic: bool) -> None:
    """Run a standalone consumer until SIGTERM (graceful) or SIGINT (immediate)."""
    modules = load_job_modules()
    freeze_loaded_code()
    consumer = _consumer(_Consumer, periodic)
    log.info(
        "worker_started",
        pid=os.getpid(),
        workers=get_settings().job_workers,
        periodic=periodic,
        modules=len(modules),
    )
    consumer.run()
    log.info("worker_stopped", pid=os.getpid())
