"""Push subscriptions: one row per browser (device) a user turned notifications on in."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class PushSubscription(IdMixin, TenantMixin, TimestampMixin, Base):
    """A browser's PushSubscription: its push-service endpoint and the keys payloads are encrypted to."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (
        # The endpoint identifies one browser install: subscribing again replaces its keys.
        UniqueConstraint("org_id", "user_id", "endpoint"),
        Index("ix_push_subscriptions_org_id_id", "org_id", "id"),
        Index("ix_push_subscriptions_org_id_user_id", "org_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(1000))
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    # What the user sees in the device list, e.g. "Chrome on Linux".
    label: Mapped[str] = mapped_column(String(120))
    last_push_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
