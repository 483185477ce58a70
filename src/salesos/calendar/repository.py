"""Every query of the calendar domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from salesos.calendar.models import CalendarConnection, CalendarEvent, CalendarFeed
from salesos.db.repository import Repository


class CalendarEventRepository(Repository[CalendarEvent]):
    model = CalendarEvent

    def of_user(
        self, user_id: uuid.UUID, *, start: datetime, end: datetime, limit: int
    ) -> list[CalendarEvent]:
        """A user's events starting in [start, end), soonest first."""
        stmt = (
            self.scoped()
            .where(
                CalendarEvent.user_id == user_id,
                CalendarEvent.starts_at >= start,
                CalendarEvent.starts_at < end,
            )
            .order_by(CalendarEvent.starts_at, CalendarEvent.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def of_lead(self, lead_id: uuid.UUID, *, since: datetime, limit: int = 20) -> list[CalendarEvent]:
        """A lead's events from *since* on, soonest first."""
        stmt = (
            self.scoped()
            .where(CalendarEvent.lead_id == lead_id, CalendarEvent.starts_at >= since)
            .order_by(CalendarEvent.starts_at, CalendarEvent.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))


class CalendarFeedRepository(Repository[CalendarFeed]):
    model = CalendarFeed

    def active_of_user(self, user_id: uuid.UUID) -> CalendarFeed | None:
        """The user's current feed, if they made one."""
        stmt = self.scoped().where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
        return self.session.scalars(stmt.order_by(CalendarFeed.id.desc())).first()

    def by_hash(self, token_hash: str) -> CalendarFeed | None:
        """The feed whose token hashes to *token_hash* (revoked or not)."""
        return self.session.scalars(self.scoped().where(CalendarFeed.token_hash == token_hash)).first()


class CalendarConnectionRepository(Repository[CalendarConnection]):
    model = CalendarConnection

    def of_user(self, user_id: uuid.UUID, provider: str) -> CalendarConnection | None:
        """The user's connection to *provider*, if any."""
        stmt = self.scoped().where(
            CalendarConnection.user_id == user_id, CalendarConnection.provider == provider
        )
        return self.session.scalars(stmt).first()
