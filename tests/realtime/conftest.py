"""Fixtures for the realtime tests: an asyncio backend and throw-away Redis key prefixes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.support.services import REDIS_URL, require


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A channel/key prefix no other test (or parallel run) uses; its keys are deleted afterwards."""
    require("redis")
    prefix = f"salesos-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
