"""Quick follow-up dates: "tomorrow", "in 3 days"... at the start of a working day in the reader's zone.

A follow-up that falls on a Saturday or Sunday moves to the Monday: nobody plans to chase a lead on a
weekend, and a follow-up due then would sit overdue on Monday's dashboard anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from salesos.leads.zones import zone_of

FOLLOW_UP_HOUR = time(9, 0)
# choice -> (button label, days ahead)
CHOICES: dict[str, tuple[str, int]] = {
    "tomorrow": ("Tomorrow", 1),
    "3d": ("In 3 days", 3),
    "1w": ("In a week", 7),
    "2w": ("In 2 weeks", 14),
}
SATURDAY = 5


def planned(choice: str, tz: str, now: datetime) -> datetime:
    """The follow-up time *choice* means for someone in *tz* at *now* (aware UTC); KeyError if unknown."""
    _label, days = CHOICES[choice]
    zone = zone_of(tz)
    day = now.astimezone(zone).date() + timedelta(days=days)
    if day.weekday() >= SATURDAY:
        day += timedelta(days=7 - day.weekday())
    return datetime.combine(day, FOLLOW_UP_HOUR, tzinfo=zone).astimezone(UTC)
