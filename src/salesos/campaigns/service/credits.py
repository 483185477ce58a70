"""The monthly lead-credit budget: enriching one prospect costs one credit, counted in ``api_usage``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from salesos.config import get_settings
from salesos.integrations.usage import ApiUsageRepository, record_usage
from salesos.orgs.repository import OrganizationRepository

KIND = "lead_credit"


@dataclass(frozen=True)
class Credits:
    """This calendar month's budget and use (UTC months)."""

    budget: int
    used: int
    resets_at: datetime

    @property
    def left(self) -> int:
        return max(0, self.budget - self.used)

    @property
    def exhausted_message(self) -> str:
        """What the user is told when enrichment stops for want of credits."""
        return (
            f"This month's {self.budget:,} lead credits are used up, so enrichment is paused. It can resume "
            f"on {self.resets_at:%-d %B}, or sooner once an admin raises the monthly budget."
        )


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, following


def credits(session: Session, now: datetime) -> Credits:
    """The current org's lead credits this month."""
    org = OrganizationRepository(session).current()
    own = org.lead_credits_monthly if org is not None else None
    budget = own if own is not None else get_settings().lead_credits_monthly
    start, resets_at = _month_bounds(now)
    used = ApiUsageRepository(session).units_since(KIND, start)
    return Credits(budget=budget, used=used, resets_at=resets_at)


def spend(session: Session, provider: str) -> None:
    """Charge one lead credit, in the transaction that stores the enriched prospect."""
    record_usage(session, kind=KIND, provider=provider, operation="enrich_prospect", units=1)
