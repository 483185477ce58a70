"""record_usage(): count a provider call against the organisation the session is scoped to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from salesos.db.repository import Repository
from salesos.integrations.models import ApiUsage


class ApiUsageRepository(Repository[ApiUsage]):
    model = ApiUsage

    def total_units(self, kind: str) -> int:
        """Units of *kind* used by the current org (all time)."""
        stmt = self.scoped(func.coalesce(func.sum(ApiUsage.units), 0)).where(ApiUsage.kind == kind)
        return int(self.session.scalar(stmt) or 0)

    def units_since(self, kind: str, since: datetime) -> int:
        """Units of *kind* the current org used since *since* (the credit budget's month)."""
        stmt = (
            self.scoped(func.coalesce(func.sum(ApiUsage.units), 0))
            .where(ApiUsage.kind == kind)
            .where(ApiUsage.created_at >= since)
        )
        return int(self.session.scalar(stmt) or 0)


def record_usage(
    session: Session, *, kind: str, provider: str, operation: str, units: int = 1, cost: Decimal | None = None
) -> ApiUsage:
    """Meter a call that went through, in the caller's (job's) transaction.

    It commits with the job's outcome: a call whose job then fails and is retried is counted once per
    completed run. A call the provider refused raises ``ProviderError`` and is not counted (the
    failure is on the outbox row instead).
    """
    return ApiUsageRepository(session).add(
        ApiUsage(kind=kind, provider=provider, operation=operation, units=units, cost=cost)
    )
