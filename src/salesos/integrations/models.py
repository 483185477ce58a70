"""Metering of provider calls: one row per call made for an organisation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from salesos.db.base import Base, IdMixin, TenantMixin, utcnow


class ApiUsage(IdMixin, TenantMixin, Base):
    """A provider call (email sent, SMS, LLM tokens, lookup) counted against the organisation."""

    __tablename__ = "api_usage"
    __table_args__ = (Index("ix_api_usage_org_id_created_at", "org_id", "created_at"),)

    kind: Mapped[str] = mapped_column(String(32))  # email | sms | voice | llm | search | enrich | ...
    provider: Mapped[str] = mapped_column(String(64))  # console | smtp | twilio | ...
    operation: Mapped[str] = mapped_column(String(64))  # send | complete | lookup | ...
    units: Mapped[int] = mapped_column(Integer, default=1)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 6), nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
