"""Every query of the calendar domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from salesos.calendar.models import CalendarConnection, CalendarEvent, CalendarFeed
from salesos.db.repository import Repository


class CalendarEventRepository(Repository[CalendarEvent]):
    model = CalendarEvent

    def of_user(
        self,
        user_id: uuid.UUID,
        *,
        start: datetime,
        end: datetime,
        limit: int,
        with_cancelled: bool = False,
    ) -> list[CalendarEvent]:
        """A user's events starting in [start, end), soonest first (cancelled ones only if asked)."""
        stmt = self.scoped().where(
            CalendarEvent.user_id == user_id,
            CalendarEvent.starts_at >= start,
            CalendarEvent.starts_at < end,
        )
        if not with_cancelled:
            stmt = stmt.where(CalendarEvent.cancelled_at.is_(None))
        stmt = stmt.order_by(CalendarEvent.starts_at, CalendarEvent.id).limit(limit)
        return list(self.session.scalars(stmt))

    def of_lead(self, lead_id: uuid.UUID, *, since: datetime, limit: int = 20) -> list[CalendarEvent]:
        """A lead's live (not cancelled) events from *since* on, soonest first."""
        stmt = (
            self.scoped()
            .where(
                CalendarEvent.lead_id == lead_id,
                CalendarEvent.starts_at >= since,
                CalendarEvent.cancelled_at.is_(None),
            )
            .order_by(CalendarEvent.starts_at, CalendarEvent.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def live_of_task(self, task_id: uuid.UUID) -> list[CalendarEvent]:
        """The live events a task was scheduled with (a scheduled call has one)."""
        stmt = self.scoped().where(CalendarEvent.task_id == task_id, CalendarEvent.cancelled_at.is_(None))
        return list(self.session.scalars(stmt))

    def pushed_of_lead(self, lead_id: uuid.UUID) -> list[CalendarEvent]:
        """A lead's live events that are on a connected calendar."""
        stmt = self.scoped().where(
            CalendarEvent.lead_id == lead_id,
            CalendarEvent.remote_id.is_not(None),
            CalendarEvent.cancelled_at.is_(None),
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
