"""Per-host politeness: a few requests at a time to one host, spaced out, inside a global limit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    next_start: float = 0.0
    users: int = 0
    cleanup: asyncio.TimerHandle | None = field(default=None, repr=False)


class HostGate:
    """Admits requests: at most *per_host* at once per host, *interval* seconds apart, *total* overall."""

    def __init__(self, *, total: int, per_host: int, interval: float) -> None:
        self.per_host = per_host
        self.interval = interval
        self._total = asyncio.Semaphore(total)
        self._hosts: dict[str, _Host] = {}

    def _enter(self, host: str) -> _Host:
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = _Host(asyncio.Semaphore(self.per_host))
        if entry.cleanup is not None:
            entry.cleanup.cancel()
            entry.cleanup = None
        entry.users += 1
        return entry

    def _leave(self, host: str, entry: _Host) -> None:
        entry.users -= 1
        if entry.users == 0:
            # Kept until its spacing has elapsed so the next request still waits; then forgotten, so
            # auditing a million hosts does not keep a million entries.
            loop = asyncio.get_running_loop()
            delay = max(0.0, entry.next_start - loop.time())
            entry.cleanup = loop.call_later(delay, self._forget, host, entry)

    def _forget(self, host: str, entry: _Host) -> None:
        if entry.users == 0 and self._hosts.get(host) is entry:
            del self._hosts[host]

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for *host*; the host slot comes first so a busy host holds no global slot."""
        loop = asyncio.get_running_loop()
        entry = self._enter(host)
        try:
            async with entry.semaphore:
                wait = entry.next_start - loop.time()
                entry.next_start = max(entry.next_start, loop.time()) + self.interval
                if wait > 0:
                    await asyncio.sleep(wait)
                async with self._total:
                    yield
        finally:
            self._leave(host, entry)

    def tracked_hosts(self) -> int:
        """How many hosts currently have state (for memory checks)."""
        return len(self._hosts)
