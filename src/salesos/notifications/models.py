"""Notifications and each member's notification preferences. Both tables are tenant-owned."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin, utcnow


class Notification(IdMixin, TenantMixin, Base):
    """One notice for one member: what happened (type + small facts), about which lead, by whom."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The centre pages a member's notifications newest first.
        Index("ix_notifications_org_id_user_id_id", "org_id", "user_id", "id"),
        # The bell counts unread ones on every page.
        Index("ix_notifications_org_id_user_id_read_at", "org_id", "user_id", "read_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("leads.id", ondelete="CASCADE"), nullable=True
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Small facts only (ids, a stage name, counts): never a message or note body.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class NotificationPreference(IdMixin, TenantMixin, TimestampMixin, Base):
    """A member's choice of channels for one type; no row means the defaults."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("org_id", "user_id", "type"),)

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    push: Mapped[bool] = mapped_column(Boolean, default=True)
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False)
