"""In-process hub for the embedded mode: one process serves every browser, so no broker is needed."""

from __future__ import annotations

import secrets
import threading
import uuid
from typing import Any

import structlog

from salesos.realtime.hub import Event, Hub, encode_hint

log = structlog.get_logger(__name__)


class MemoryHub(Hub):
    """Delivers to subscribers of this process only; ``publish`` is safe from any thread."""

    def __init__(self, *, queue_size: int = 100, replay_size: int = 100, replay_orgs: int = 1000) -> None:
        super().__init__(queue_size=queue_size, replay_size=replay_size, replay_orgs=replay_orgs)
        # A fresh epoch per process: ids from before a restart can't be replayed, so they resync.
        self.epoch = secrets.token_hex(4)
        self._seq: dict[uuid.UUID, int] = {}
        self._lock = threading.Lock()

    def publish(self, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
        """Hand the hint to the hub's event loop; a no-op (nobody can listen) before ``start()``."""
        event, data = encode_hint(event, data)
        loop = self._loop
        if loop is None:
            log.debug("realtime_publish_without_loop", hint=event, org_id=str(org_id))
            return
        # Numbering and scheduling under one lock: call_soon_threadsafe is FIFO, so subscribers
        # see each org's events in seq order even when several threads publish at once.
        with self._lock:
            seq = self._seq.get(org_id, 0) + 1
            self._seq[org_id] = seq
            try:
                loop.call_soon_threadsafe(self._dispatch, org_id, Event(f"{self.epoch}-{seq}", event, data))
            except RuntimeError:  # the loop closed under us (shutdown): there is nobody to tell
                log.debug("realtime_publish_loop_closed", hint=event, org_id=str(org_id))
