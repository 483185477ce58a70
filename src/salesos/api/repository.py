"""Queries for idempotency records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from salesos.api.models import IdempotencyRecord
from salesos.db.repository import Repository


class IdempotencyRepository(Repository[IdempotencyRecord]):
    model = IdempotencyRecord

    def find(self, principal: str, key: str) -> IdempotencyRecord | None:
        """The record of this caller's key in the current tenant."""
        stmt = self.scoped().where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
        return self.session.scalars(stmt).first()

    def prune(self, before: datetime) -> int:
        """Delete this tenant's records created before *before*."""
        result = self.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.org_id == self.org_id, IdempotencyRecord.created_at < before
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
