"""Keyset (cursor) pagination: stable under inserts, O(limit) at any depth."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam
from sqlalchemy.orm import Session

from salesos.errors import ValidationFailed

T = TypeVar("T")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Greater than every UUIDv7: "before this" on the first page.
AFTER_ALL_IDS = uuid.UUID(int=(1 << 128) - 1)


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
    session: Session,
    stmt: Select[Any],
    id_column: Any,
    *,
    limit: int,
    cursor: str | None,
    rows: bool = False,
) -> Page[Any]:
    """Newest first by UUIDv7 id (which orders by creation time).

    *rows*: the statement selects columns (one ``Row`` per item, with an ``id``) rather than one ORM
    entity; list endpoints project only what they answer, which is several times cheaper.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        stmt = stmt.where(id_column < decode_cursor(cursor))
    stmt = stmt.order_by(id_column.desc()).limit(limit + 1)
    found = list(session.execute(stmt).all() if rows else session.scalars(stmt))
    items = found[:limit]
    more = len(found) > limit
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if more and items else None)


class TenantPageQuery:
    """A tenant-scoped keyset list statement, built once and run with bind parameters.

    Building a SELECT and its cache key costs more than SQLite takes to run it (measured: ~0.9 ms
    vs ~0.4 ms for a 50-row page), so hot list endpoints prepare theirs at import time.
    """

    def __init__(self, stmt: Select[*tuple[Any, ...]], org_column: Any, id_column: Any) -> None:
        self.stmt = (
            stmt.where(org_column == bindparam("org_id"), id_column < bindparam("before"))
            .order_by(id_column.desc())
            .limit(bindparam("page_rows"))
        )

    def page(self, session: Session, org_id: uuid.UUID, *, limit: int, cursor: str | None) -> Page[Any]:
        """One page of rows of *org_id*, newest first, after *cursor*."""
        limit = max(1, min(limit, MAX_LIMIT))
        before = decode_cursor(cursor) if cursor else AFTER_ALL_IDS
        params = {"org_id": org_id, "before": before, "page_rows": limit + 1}
        # Core execution on the session's connection (same transaction, same tenant settings):
        # plain rows, without the ORM's result machinery.
        found = list(session.connection().execute(self.stmt, params).all())
        items = found[:limit]
        more = len(found) > limit
        return Page(items=items, next_cursor=encode_cursor(items[-1].id) if more and items else None)
