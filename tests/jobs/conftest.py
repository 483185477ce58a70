"""Job-system fixtures: each test gets its own database and its own queue (SQLite file or Redis name)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from salesos.config import PROJECT_ROOT, Settings, get_settings
from salesos.db.engine import reset_engines
from salesos.jobs.queue import reset_queue
from salesos.jobs.worker import ConsumerHandle, start_consumer
from tests.conftest import configure
from tests.support.databases import postgres_database, sqlite_url
from tests.support.services import REDIS_URL, require

JOB_MODULES = "tests.jobs.sample_jobs"
QUEUES = ["sqlite-queue", "redis-queue"]


def _flush_redis(queue_name: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"huey.*.{queue_name}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=QUEUES)
def jobs_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """sqlite-queue: SQLite app DB + SqliteHuey (embedded). redis-queue: PostgreSQL app DB + RedisHuey."""
    queue_name = f"salesos-test-{uuid.uuid4().hex[:12]}"
    common = {
        "queue_name": queue_name,
        "extra_job_modules": JOB_MODULES,
        "job_backoff_base_seconds": "0.05",
        "job_workers": "2",
    }
    reset_queue()
    if request.param == "redis-queue":
        require("redis")
        require("postgres")
        with postgres_database() as (app_url, owner_url):
            yield configure(
                monkeypatch,
                tmp_path,
                database_url=app_url,
                migration_database_url=owner_url,
                redis_url=REDIS_URL,
                **common,
            )
            reset_queue()
            reset_engines()
        _flush_redis(queue_name)
    else:
        yield configure(monkeypatch, tmp_path, database_url=sqlite_url(tmp_path), **common)
        reset_queue()
        reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def consumer(jobs_env: Settings) -> Iterator[ConsumerHandle]:
    """An in-process consumer (embedded mode) without periodic ticks."""
    handle = start_consumer(in_process=True, periodic=False)
    yield handle
    handle.stop()


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, interval: float = 0.05) -> None:
    """Poll *predicate* until it is truthy; fail the test after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {getattr(predicate, '__name__', predicate)}")


class WorkerProcess:
    """A real ``run_worker`` subprocess with its output captured to a file."""

    def __init__(self, log_path: Path, periodic: bool, env: dict[str, str]) -> None:
        self.log_path = log_path
        code = f"from salesos.jobs.worker import run_worker; run_worker(periodic={periodic})"
        full_env = {**os.environ, **env, "PYTHONPATH": str(PROJECT_ROOT)}
        with open(log_path, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code],
                cwd=PROJECT_ROOT,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        """Everything the worker printed so far."""
        return self.log_path.read_text()

    def wait_started(self, timeout: float = 20.0) -> None:
        """Block until the worker logged its start."""
        wait_for(lambda: "worker_started" in self.output() or self.proc.poll() is not None, timeout)
        assert self.proc.poll() is None, f"worker exited early:\n{self.output()}"

    def kill(self) -> int:
        """SIGKILL: no cleanup, exactly like an OOM kill or a pulled plug."""
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(10)

    def stop(self) -> int:
        """SIGTERM (graceful) and wait; kill if it will not go."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(15)
            except subprocess.TimeoutExpired:
                return self.kill()
        return self.proc.returncode


@pytest.fixture
def spawn_worker(jobs_env: Settings, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker subprocesses; all are stopped at teardown."""
    started: list[WorkerProcess] = []

    def spawn(name: str, *, periodic: bool, **env: str) -> WorkerProcess:
        worker = WorkerProcess(
            tmp_path / f"{name}.log",
            periodic,
            {f"SALESOS_{key.upper()}": value for key, value in env.items()},
        )
        started.append(worker)
        return worker

    yield spawn
    for worker in started:
        worker.stop()
