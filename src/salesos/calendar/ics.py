"""iCalendar (RFC 5545) rendering of a user's events, for Google Calendar, Outlook and Apple Calendar."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from salesos import __version__
from salesos.calendar.models import CalendarEvent
from salesos.db.base import utcnow

# How often subscribers should poll; Google decides for itself, Outlook and Apple honour this.
REFRESH_INTERVAL = timedelta(minutes=15)


def render_feed(events: list[CalendarEvent], *, calendar_name: str, base_url: str) -> bytes:
    """The feed document: one VEVENT per event, times in UTC, each linking back to its lead."""
    calendar = Calendar()
    calendar.add("prodid", f"-//SalesOS//SalesOS {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL)
    stamp = utcnow()
    for item in events:
        event = Event()
        event.add("uid", f"{item.id}@salesos")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.starts_at + timedelta(minutes=item.duration_minutes))
        event.add("summary", item.title)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled_at is not None else "CONFIRMED")
        description = item.notes or ""
        if item.lead_id is not None:
            url = f"{base_url.rstrip('/')}/leads/{item.lead_id}"
            event.add("url", url)
            description = f"{description}\n\n{url}".strip()
        if description:
            event.add("description", description)
        calendar.add_component(event)
    return calendar.to_ical()
