"""An in-memory LRU of decoded provider responses, keyed by request (a persistent cache is later work)."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any


def request_key(method: str, url: str, payload: Any = None) -> str:
    """A stable key for a request: equal requests (whatever their dict order) share one entry."""
    return f"{method.upper()} {url} {json.dumps(payload, sort_keys=True, default=str)}"


class ResponseCache:
    """Thread-safe LRU with an age limit: OSM data changes slowly and its operators ask us not to re-ask."""

    def __init__(self, maxsize: int = 512, ttl_seconds: float = 24 * 3600) -> None:
        self.maxsize = maxsize
        self.ttl_seconds = ttl_seconds
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any | None:
        """The cached value of *key*, or None when absent or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.ttl_seconds:
                self._entries.pop(key, None)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def put(self, key: str, value: Any) -> None:
        """Store *value*, evicting the least recently used entry when full."""
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
