"""Keyset (cursor) pagination: stable under inserts, O(limit) at any depth."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


@dataclass
class Page(Generic[T]):
    """One page of rows and the cursor that continues after it (None at the end)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(row_id: uuid.UUID) -> str:
    """Opaque cursor for the row *row_id*."""
    return base64.urlsafe_b64encode(json.dumps({"id": str(row_id)}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    """Parse a cursor made by ``encode_cursor``; a tampered cursor is a 422, not a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return uuid.UUID(json.loads(base64.urlsafe_b64decode(padded))["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("Invalid cursor", field="cursor") from exc


def paginate(
    session: Session, stmt: Select[Any], id_column: Any, *, limit: int, cursor: str | None
) -> Page[Any]:
    """Newest first by UUIDv7 id (which orders by creation time)."""
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        stmt = stmt.where(id_column < decode_cursor(cursor))
    rows = list(session.scalars(stmt.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].id) if more and rows else None)
