"""Stored responses for Idempotency-Key replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, utcnow


class IdempotencyRecord(IdMixin, TenantMixin, Base):
    """The first response to a POST with an Idempotency-Key, replayed for 24 h to the same caller."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("org_id", "principal", "key"),)

    principal: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(nullable=True)
    response_headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
