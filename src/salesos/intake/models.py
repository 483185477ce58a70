"""Intake endpoints (a signed URL per source) and the record of every external id they received."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class IntakeEndpoint(IdMixin, TenantMixin, TimestampMixin, Base):
    """A webhook URL a scraper posts leads to, verified with an HMAC secret (two during a rotation)."""

    __tablename__ = "intake_endpoints"
    __table_args__ = (Index("ix_intake_endpoints_org_id_id", "org_id", "id"),)

    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(64))
    # Sealed, not hashed: checking an HMAC needs the secret itself.
    secret_sealed: Mapped[str] = mapped_column(Text)
    previous_secret_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class IntakeRecord(IdMixin, TenantMixin, TimestampMixin, Base):
    """One external id received by an endpoint: a replay of it changes nothing."""

    __tablename__ = "intake_records"
    __table_args__ = (
        # The idempotency key; concurrent posts of one id race on this constraint, not in Python.
        UniqueConstraint("org_id", "endpoint_id", "external_id"),
        Index("ix_intake_records_org_id_id", "org_id", "id"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("intake_endpoints.id", ondelete="CASCADE")
    )
    external_id: Mapped[str] = mapped_column(String(200))
    # Kept when the lead is deleted, so a replayed row does not bring the lead back.
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("leads.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16))
