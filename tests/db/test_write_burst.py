"""A burst of concurrent writes on embedded SQLite: every one succeeds, none waits for busy_timeout.

Without the write gate in db/deps.py, more writers than threadpool threads deadlock: every thread waits
for SQLite's lock while the holder waits for a thread to commit on.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.support.servers import app_server, settings_env

BURST = 60  # more than the 40 threads of the default threadpool


def test_a_burst_of_writes_all_commit(settings, world):
    headers = world.alice.headers
    with app_server(settings_env(settings, run_worker_in_process="false")) as url:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            lead = client.post("/api/v1/leads", json={"company": {"name": "Burst Co"}}).json()

        async def burst() -> list[int]:
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
                calls = [
                    client.patch(f"/api/v1/leads/{lead['id']}", json={"value": str(n)}) for n in range(BURST)
                ]
                return [r.status_code for r in await asyncio.gather(*calls)]

        started = time.monotonic()
        statuses = asyncio.run(burst())
        elapsed = time.monotonic() - started
    assert statuses == [200] * BURST
    assert elapsed < 8, f"{BURST} writes took {elapsed:.1f}s: something waited for busy_timeout"
