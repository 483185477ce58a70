"""Find the external services tests need; skip without CI, fail with CI=true."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379/0"
CHROMIUM = Path("/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def require(service: str) -> None:
    """Skip (or, under CI, fail) when *service* (postgres | redis | chromium) is unavailable."""
    if service == "postgres":
        ok = _port_open(PG_HOST, PG_PORT)
    elif service == "redis":
        ok = _port_open("127.0.0.1", 6379)
    elif service == "chromium":
        ok = CHROMIUM.exists()
    else:
        raise ValueError(service)
    if ok:
        return
    message = f"{service} is not available on this machine"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true requires it")
    pytest.skip(f"{message} (runs in CI; set up the service to run it locally)")
