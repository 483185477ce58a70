"""Publishing realtime hints from domain code, tied to the transaction that caused them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesos.db.session import ON_COMMIT_KEY, on_commit
from salesos.realtime.hub import RESYNC, encode_hint, get_hub

# A transaction that changes more than this many things in one org (an import batch, a bulk update)
# sends one "resync" instead: clients refetch once rather than drown, and bounded queues hold.
MAX_HINTS_PER_COMMIT = 20


class _CommitHints:
    """The hints of one transaction, published together after it commits (deduplicated)."""

    def __init__(self) -> None:
        self.by_org: dict[uuid.UUID, dict[tuple[str, str], dict[str, Any]]] = {}

    def add(self, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
        key = (event, repr(sorted(data.items())))
        self.by_org.setdefault(org_id, {})[key] = data

    def __call__(self) -> None:
        hub = get_hub()
        for org_id, hints in self.by_org.items():
            if len(hints) > MAX_HINTS_PER_COMMIT:
                hub.publish(org_id, RESYNC, {})
                continue
            for (event, _), data in hints.items():
                hub.publish(org_id, event, data)


def publish_after_commit(session: Session, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
    """Publish a hint (ids and types, never bodies) once *session* commits; nothing if it rolls back."""
    # Validate now, so a bad hint fails the request that wrote it instead of a log line after commit.
    event, data = encode_hint(event, data)
    # The batch lives in the on-commit hooks, so a rollback (which drops the hooks) drops it too.
    batch = next((h for h in session.info.get(ON_COMMIT_KEY, []) if isinstance(h, _CommitHints)), None)
    if batch is None:
        batch = _CommitHints()
        on_commit(session, batch)
    batch.add(org_id, event, data)
