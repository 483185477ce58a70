"""Publishing realtime hints from domain code, tied to the transaction that caused them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from salesos.db.session import on_commit
from salesos.realtime.hub import encode_hint, get_hub


def publish_after_commit(session: Session, org_id: uuid.UUID, event: str, data: dict[str, Any]) -> None:
    """Publish a hint (ids and types, never bodies) once *session* commits; nothing if it rolls back."""
    # Validate now, so a bad hint fails the request that wrote it instead of a log line after commit.
    event, data = encode_hint(event, data)
    on_commit(session, lambda: get_hub().publish(org_id, event, data))
