"""Huey wiring: one generic task that runs an outbox row, relayed to SqliteHuey or RedisHuey."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import datetime
from typing import Any

import structlog
from huey import Huey, RedisHuey, SqliteHuey

from salesos.config import get_settings
from salesos.db.base import utcnow
from salesos.jobs import conf

log = structlog.get_logger(__name__)

RUN_TASK_NAME = "salesos.run_outbox"
# Below this, a delayed relay is not worth a trip through Huey's schedule (1 s granularity anyway).
MIN_DELAY_SECONDS = 0.05

_lock = threading.Lock()
# (queue name, redis url, queue path) -> (Huey, its run_outbox task wrapper)
_instances: dict[tuple[str, str, str], tuple[Huey, Any]] = {}


def _key() -> tuple[str, str, str]:
    settings = get_settings()
    return conf.queue_name(), settings.redis_url, str(settings.queue_path)


def _run_outbox(outbox_id: str) -> None:
    from salesos.jobs.runner import execute

    execute(uuid.UUID(outbox_id))


def _instance() -> tuple[Huey, Any]:
    key = _key()
    with _lock:
        found = _instances.get(key)
        if found is None:
            # Only tests switch configuration; close the old queue so its file handle is not leaked.
            _close_all()
            name, redis_url, queue_path = key
            # results=False: the outbox row is the record of a run; Huey only carries the wake-up.
            huey: Huey
            if redis_url:
                huey = RedisHuey(name, url=redis_url, results=False)
            else:
                settings = get_settings()
                assert settings.queue_path is not None
                settings.queue_path.parent.mkdir(parents=True, exist_ok=True)
                huey = SqliteHuey(name, filename=queue_path, fsync=True, results=False)
            found = huey, huey.task(name=RUN_TASK_NAME)(_run_outbox)
            _instances[key] = found
        return found


def get_huey() -> Huey:
    """The Huey instance for the current settings (created once per configuration)."""
    return _instance()[0]


def relay(outbox_id: uuid.UUID, run_at: datetime | None = None) -> None:
    """Hand one outbox row to Huey, delayed until *run_at* if that lies in the future."""
    task = _instance()[1]
    delay = (run_at - utcnow()).total_seconds() if run_at is not None else 0.0
    if delay > MIN_DELAY_SECONDS:
        task.schedule(args=(str(outbox_id),), delay=delay)
    else:
        task(str(outbox_id))


def queue_ping() -> bool:
    """True when the queue answers: Redis PING, or the SQLite queue file opens and reads."""
    settings = get_settings()
    try:
        if settings.redis_url:
            import redis

            client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=1)
            try:
                return bool(client.ping())
            finally:
                client.close()
        get_huey()  # creates the file and schema on first use
        with sqlite3.connect(str(settings.queue_path), timeout=1) as conn:
            conn.execute("SELECT count(*) FROM task").fetchone()
        return True
    except Exception as exc:
        log.warning("queue_ping_failed", error_type=type(exc).__name__)
        return False


def _close_all() -> None:
    for huey, _task in _instances.values():
        huey.storage.close()  # SQLite: its connection; a no-op for Redis
        pool = getattr(huey.storage, "pool", None)
        if pool is not None:
            pool.disconnect()
    _instances.clear()


def reset_queue() -> None:
    """Close and forget every Huey instance (tests switch configuration between cases)."""
    with _lock:
        _close_all()
