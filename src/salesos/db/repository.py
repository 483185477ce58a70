"""Repository base: every tenant-owned query goes through ``scoped()`` so it can't forget the org."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from salesos.db.base import Base
from salesos.db.session import current_tenant

ModelT = TypeVar("ModelT", bound=Base)


BATCHED_ADDS_KEY = "batched_adds"


@contextmanager
def batched_adds(session: Session) -> Iterator[None]:
    """Within the block, ``add`` stages rows without a flush each (and queries don't autoflush); one flush
    at the end. For batch writers whose rows nothing reads back before the batch ends: ids are made
    client-side (UUIDv7), so nothing needs the database to hand them out."""
    previous = session.info.get(BATCHED_ADDS_KEY, False)
    session.info[BATCHED_ADDS_KEY] = True
    try:
        with session.no_autoflush:
            yield
    finally:
        session.info[BATCHED_ADDS_KEY] = previous
    session.flush()


def column_rows(
    session: Session, stmt: Select[Any], params: Mapping[str, Any] | None = None
) -> list[Row[Any]]:
    """``Repository.rows`` for callers that hold a session and a statement (and its named parameters)."""
    if session.autoflush:
        session.flush()
    return list(session.connection().execute(stmt, dict(params) if params else None).all())


class Repository(Generic[ModelT]):
    """Queries for one model. Tenant-owned models are always filtered by the session's org."""

    model: type[ModelT]

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def org_id(self) -> uuid.UUID:
        return current_tenant(self.session)

    def scoped(self, *columns: Any) -> Select[Any]:
        """SELECT of the model (or *columns*) restricted to the current tenant when it has one."""
        stmt = select(*columns) if columns else select(self.model)
        if hasattr(self.model, "org_id"):
            stmt = stmt.where(self.model.org_id == self.org_id)  # type: ignore[attr-defined]
        return stmt

    def rows(self, stmt: Select[Any]) -> list[Row[Any]]:
        """The rows of a SELECT of columns (not entities), run as Core on the session's connection.

        Same transaction and tenant settings as ``session.execute``, without the ORM's result loading,
        which was a quarter of a board page's CPU. Core does not autoflush, so pending changes are
        flushed first, as ``session.execute`` would (unless autoflush is off, as in ``batched_adds``).
        """
        return column_rows(self.session, stmt)

    def get(self, id_: uuid.UUID) -> ModelT | None:
        """The row with *id_* in this tenant, or None: a foreign id looks exactly like a missing one."""
        stmt = self.scoped().where(self.model.id == id_)  # type: ignore[attr-defined]
        return self.session.scalars(stmt).first()

    def add(self, obj: ModelT) -> ModelT:
        """Stage *obj* for insert, stamping the tenant on tenant-owned rows (flushed unless batched)."""
        if hasattr(obj, "org_id") and getattr(obj, "org_id", None) is None:
            obj.org_id = self.org_id  # type: ignore[attr-defined]
        self.session.add(obj)
        if not self.session.info.get(BATCHED_ADDS_KEY):
            self.session.flush()
        return obj

    def delete(self, obj: ModelT) -> None:
        """Delete *obj* and flush."""
        self.session.delete(obj)
        self.session.flush()

    def count(self, stmt: Select[Any] | None = None) -> int:
        """Row count of *stmt* (default: all rows of this tenant)."""
        base = stmt if stmt is not None else self.scoped()
        return int(self.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
