"""Run the real app in uvicorn subprocesses (each a separate process, like a scaled-out deployment)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from salesos.config import Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment that makes a child process use the same databases, queue and secret as *settings*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESOS_")}
    env.update(
        {
            "SALESOS_ENV": "test",
            "SALESOS_VAR_DIR": str(settings.var_dir),
            "SALESOS_DATABASE_URL": settings.database_url,
            "SALESOS_MIGRATION_DATABASE_URL": settings.migration_database_url,
            "SALESOS_SECRET_KEY": settings.secret_key,
            "SALESOS_LOG_LEVEL": "WARNING",
        }
    )
    if settings.redis_url:
        env["SALESOS_REDIS_URL"] = settings.redis_url
    env.update({f"SALESOS_{k.upper()}": v for k, v in extra.items()})
    return env


@contextmanager
def app_server(env: dict[str, str], timeout: float = 20.0) -> Iterator[str]:
    """Start ``uvicorn salesos.main:create_app`` in a subprocess; yield its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "salesos.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "2",
        ],
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"app server did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def settings_with(**values: object) -> Settings:
    """A Settings object with *values* and test defaults, read from nothing else (no environment, no .env)."""
    import tempfile

    defaults: dict[str, object] = {"secret_key": "test-only-" + "k" * 40, "var_dir": tempfile.mkdtemp()}
    return Settings(_env_file=None, **{**defaults, **values})  # type: ignore[call-arg]
