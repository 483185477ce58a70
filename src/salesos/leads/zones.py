"""A reader's day: named timezones and the instants (UTC, as stored) where their day starts and ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(tz: str | None) -> ZoneInfo:
    """The named timezone; UTC for no name or one this machine does not know."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_bounds(tz: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The reader's today as UTC instants: [local midnight, next local midnight).

    A local midnight is a fixed instant, whatever a daylight-saving change does later that day.
    """
    local = now.astimezone(zone_of(tz)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC), (local + timedelta(days=1)).astimezone(UTC)
