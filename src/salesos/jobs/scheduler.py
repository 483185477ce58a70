"""Periodic ticks: every worker may run this; the dedup key makes each tick run once cluster-wide."""

from __future__ import annotations

import time

import structlog

from salesos.db.session import unit_of_work
from salesos.jobs import registry
from salesos.jobs.outbox import enqueue

log = structlog.get_logger(__name__)


def tick_key(name: str, tick: int) -> str:
    """Dedup key of periodic job *name* for tick number *tick*."""
    return f"periodic:{name}:{tick}"


class PeriodicTicker:
    """Enqueues each registered periodic job once per tick of its interval (checked every second)."""

    def __init__(self) -> None:
        self._last_tick: dict[str, int] = {}

    def check(self, now: float | None = None) -> list[str]:
        """Enqueue every periodic job whose tick changed; returns the keys this process inserted."""
        now = time.time() if now is None else now
        inserted = []
        for spec in registry.periodics():
            # Wall-clock ticks (not monotonic) so that every worker computes the same tick number.
            tick = int(now // spec.interval())
            if self._last_tick.get(spec.name) == tick:
                continue
            key = tick_key(spec.name, tick)
            try:
                with unit_of_work() as session:
                    row = enqueue(session, spec.name, dedup_key=key)
            except Exception as exc:  # the database may be briefly away; try again next second
                log.warning("periodic_enqueue_failed", job=spec.name, error_type=type(exc).__name__)
                continue
            self._last_tick[spec.name] = tick
            if row is not None:
                inserted.append(key)
                log.debug("periodic_enqueued", job=spec.name, tick=tick)
            else:
                log.debug("periodic_taken_elsewhere", job=spec.name, tick=tick)
        return inserted
