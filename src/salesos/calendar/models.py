"""Calendar events and the per-user ICS feeds that publish them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class CalendarEvent(IdMixin, TenantMixin, TimestampMixin, Base):
    """Something on a user's calendar, usually a call scheduled from a lead."""

    __tablename__ = "calendar_events"
    __table_args__ = (
        Index("ix_calendar_events_org_id_id", "org_id", "id"),
        # The feed reads one user's events in time order.
        Index("ix_calendar_events_org_id_user_id_starts_at", "org_id", "user_id", "starts_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("leads.id", ondelete="CASCADE"), nullable=True
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column()
    duration_minutes: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # RFC 5545 SEQUENCE: bumped on every change so subscribed calendars replace their copy.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # A cancelled call stays (the feed publishes it as cancelled, the sync removes it from Google).
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set once the event is on the user's connected calendar (Google's event id).
    remote_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    remote_synced_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CalendarConnection(IdMixin, TenantMixin, TimestampMixin, Base):
    """A user's calendar at a provider (Google), connected over OAuth; tokens are sealed at rest."""

    __tablename__ = "calendar_connections"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id", "provider"),
        Index("ix_calendar_connections_org_id_id", "org_id", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(32))
    tokens_sealed: Mapped[str] = mapped_column(Text)
    calendar_id: Mapped[str] = mapped_column(String(255), default="primary")
    last_synced_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CalendarFeed(IdMixin, TenantMixin, TimestampMixin, Base):
    """A user's secret feed URL. The token is looked up by hash and kept sealed so it can be shown again."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        Index("ix_calendar_feeds_org_id_id", "org_id", "id"),
        Index("ix_calendar_feeds_org_id_user_id", "org_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_sealed: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
